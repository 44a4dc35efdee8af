/* Owns the network part of the policy: endpoints, bind ports, proxy and the --net mode. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"
#include "../base/util.h"

static const char *const sbx_net_names[] = {
	[SBX_NET_FILTERED] = "filtered",
	[SBX_NET_ISOLATED] = "isolated",
	[SBX_NET_NONE] = "none",
	[SBX_NET_HOST] = "host",
};

const char *sbx_net_mode_name(enum sbx_net_mode mode)
{
	return mode < ARRAY_SIZE(sbx_net_names) ? sbx_net_names[mode] : "?";
}

static int sbx_pol_push_endpoints(struct sbx_policy *pol, const struct sbx_endpoint *e, int n,
				  struct sbx_error *err)
{
	struct sbx_endpoint *grown;

	grown = realloc(pol->endpoints, (pol->n_endpoints + n) * sizeof(*grown));
	if (!grown)
		return sbx_error_set(err, ENOMEM, "endpoints");
	pol->endpoints = grown;
	memcpy(pol->endpoints + pol->n_endpoints, e, n * sizeof(*e));
	pol->n_endpoints += n;
	return 0;
}

static int sbx_pol_push_host(struct sbx_hostpat **v, size_t *n, const struct sbx_hostpat *h,
			     struct sbx_error *err)
{
	struct sbx_hostpat *grown = realloc(*v, (*n + 1) * sizeof(*grown));

	if (!grown)
		return sbx_error_set(err, ENOMEM, "host names");
	*v = grown;
	(*v)[(*n)++] = *h;
	return 0;
}

int sbx_pol_add_connect(struct sbx_policy *pol, const char *text, struct sbx_error *err)
{
	struct sbx_endpoint e[2];
	struct sbx_hostpat h;
	int n = sbx_endpoint_parse_as("--allow-connect", text, e, &h, err);

	if (n == 0)
		return sbx_pol_push_host(&pol->hosts, &pol->n_hosts, &h, err);
	return n < 0 ? n : sbx_pol_push_endpoints(pol, e, n, err);
}

int sbx_pol_add_deny_connect(struct sbx_policy *pol, const char *text, struct sbx_error *err)
{
	struct sbx_endpoint e[2], *grown;
	struct sbx_hostpat h;
	int n = sbx_endpoint_parse_as("--deny-connect", text, e, &h, err);

	if (n == 0)
		return sbx_pol_push_host(&pol->deny_hosts, &pol->n_deny_hosts, &h, err);
	if (n < 0)
		return n;
	grown = realloc(pol->deny_endpoints, (pol->n_deny_endpoints + n) * sizeof(*grown));
	if (!grown)
		return sbx_error_set(err, ENOMEM, "--deny-connect");
	pol->deny_endpoints = grown;
	memcpy(grown + pol->n_deny_endpoints, e, n * sizeof(*e));
	pol->n_deny_endpoints += n;
	return 0;
}

int sbx_pol_add_bind(struct sbx_policy *pol, const char *text, struct sbx_error *err)
{
	uint16_t *grown;
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < 1 || v > 65535) {
		sbx_error_set(err, 0, "--allow-bind %s: a port is a number from 1 to 65535", text);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	grown = realloc(pol->bind_ports, (pol->n_bind_ports + 1) * sizeof(*grown));
	if (!grown)
		return sbx_error_set(err, ENOMEM, "--allow-bind");
	pol->bind_ports = grown;
	pol->bind_ports[pol->n_bind_ports++] = (uint16_t)v;
	return 0;
}

int sbx_pol_set_proxy(struct sbx_policy *pol, const char *url, struct sbx_error *err)
{
	static const char *const schemes[] = { "http://",    "https://",  "socks4://",
					       "socks4a://", "socks5://", "socks5h://" };
	char hostport[256];
	const char *rest = NULL;
	struct sbx_endpoint e[2];
	size_t i, len;
	int n;

	for (i = 0; i < ARRAY_SIZE(schemes) && !rest; i++)
		if (!strncmp(url, schemes[i], strlen(schemes[i])))
			rest = url + strlen(schemes[i]);
	if (!rest) {
		sbx_error_set(err, 0,
			      "--proxy %s: expected http://, https://, socks4://, "
			      "socks4a://, socks5:// or socks5h://",
			      url);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	if (strchr(rest, '@')) {
		sbx_error_set(err, 0, "--proxy %s: credentials in the URL are not supported", url);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	len = strcspn(rest, "/");
	if (len == 0 || len >= sizeof(hostport) || (rest[len] == '/' && rest[len + 1] != '\0')) {
		sbx_error_set(err, 0, "--proxy %s: expected SCHEME://ADDR:PORT", url);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	memcpy(hostport, rest, len);
	hostport[len] = '\0';
	n = sbx_endpoint_parse(hostport, e, err);
	if (n < 0) {
		/* Say it about --proxy, not --allow-connect. */
		sbx_error_set(err, 0,
			      "--proxy %s: expected SCHEME://ADDR:PORT with an IP address "
			      "or localhost (host names are not resolved)",
			      url);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	for (i = 0; i < (size_t)n; i++) {
		if (e[i].port_lo != e[i].port_hi ||
		    e[i].prefix != (e[i].family == AF_INET ? 32u : 128u)) {
			sbx_error_set(err, 0, "--proxy %s: one address and one port", url);
			return -(err ? err->code = EINVAL : EINVAL);
		}
	}
	free(pol->proxy_url);
	pol->proxy_url = strdup(url);
	if (!pol->proxy_url)
		return sbx_error_set(err, ENOMEM, "--proxy");
	return sbx_pol_push_endpoints(pol, e, n, err);
}

int sbx_pol_set_net(struct sbx_policy *pol, const char *mode, struct sbx_error *err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sbx_net_names); i++) {
		if (!strcmp(mode, sbx_net_names[i])) {
			pol->net = (enum sbx_net_mode)i;
			pol->net_given = true;
			return 0;
		}
	}
	sbx_error_set(err, 0, "--net %s: expected filtered, isolated, none or host", mode);
	return -(err ? err->code = EINVAL : EINVAL);
}

int sbx_pol_finish(struct sbx_policy *pol, struct sbx_error *err)
{
	if (pol->net == SBX_NET_NONE && (pol->n_endpoints || pol->n_hosts)) {
		sbx_error_set(err, 0,
			      "--net none allows no endpoints, but --allow-connect or "
			      "--proxy gave some");
		sbx_error_hint(err, "use --net isolated to keep only the named endpoints");
		return -(err ? err->code = EINVAL : EINVAL);
	}
	return 0;
}

bool sbx_pol_has_proto(const struct sbx_policy *pol, enum sbx_proto proto)
{
	size_t i;

	for (i = 0; i < pol->n_endpoints; i++)
		if (pol->endpoints[i].proto == proto)
			return true;
	for (i = 0; i < pol->n_hosts; i++)
		if (pol->hosts[i].proto == proto)
			return true;
	return false;
}

const struct sbx_endpoint *sbx_pol_match_deny_endpoint(const struct sbx_policy *pol,
						       enum sbx_proto proto, int family,
						       const unsigned char *addr, uint16_t port)
{
	size_t i;

	for (i = 0; i < pol->n_deny_endpoints; i++)
		if (sbx_endpoint_match(&pol->deny_endpoints[i], proto, family, addr, port))
			return &pol->deny_endpoints[i];
	return NULL;
}

static const struct sbx_hostpat *sbx_host_find(const struct sbx_hostpat *v, size_t n,
					       enum sbx_proto proto, const char *name,
					       uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sbx_hostpat_match(&v[i], proto, name, port))
			return &v[i];
	return NULL;
}

const struct sbx_hostpat *sbx_pol_match_host(const struct sbx_policy *pol, enum sbx_proto proto,
					     const char *name, uint16_t port)
{
	return sbx_host_find(pol->hosts, pol->n_hosts, proto, name, port);
}

const struct sbx_hostpat *sbx_pol_match_deny_host(const struct sbx_policy *pol,
						  enum sbx_proto proto, const char *name,
						  uint16_t port)
{
	return sbx_host_find(pol->deny_hosts, pol->n_deny_hosts, proto, name, port);
}

bool sbx_pol_hosts_cover(const struct sbx_policy *pol, enum sbx_proto proto, uint16_t port)
{
	size_t i;

	for (i = 0; i < pol->n_hosts; i++)
		if (!pol->hosts[i].wildcard && pol->hosts[i].proto == proto &&
		    port >= pol->hosts[i].port_lo && port <= pol->hosts[i].port_hi)
			return true;
	return false;
}

const struct sbx_endpoint *sbx_pol_match_endpoint(const struct sbx_policy *pol,
						  enum sbx_proto proto, int family,
						  const unsigned char *addr, uint16_t port)
{
	size_t i;

	for (i = 0; i < pol->n_endpoints; i++)
		if (sbx_endpoint_match(&pol->endpoints[i], proto, family, addr, port))
			return &pol->endpoints[i];
	return NULL;
}

bool sbx_pol_bind_allowed(const struct sbx_policy *pol, uint16_t port)
{
	size_t i;

	for (i = 0; i < pol->n_bind_ports; i++)
		if (pol->bind_ports[i] == port)
			return true;
	return false;
}
