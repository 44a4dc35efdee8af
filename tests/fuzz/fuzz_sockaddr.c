/*
 * Fuzz target: sbx_addr_decode() and sbx_addr_format() on every length up to
 * sizeof(struct sockaddr_storage), as the supervisor calls them on bytes from the child.
 * Checks the invariants the decisions rely on: a pathname is NUL-terminated inside the
 * buffer, an abstract name is never longer than sun_path allows, and formatted text holds
 * no control character (it goes to a terminal).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../supervisor/caller/sockaddr.h"
#include "fuzz.h"

static void check_text(const char *s, size_t n)
{
	size_t len = strnlen(s, n);

	if (len == n)
		abort(); /* not terminated */
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort(); /* a raw control byte would reach the terminal */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_addr a;
	char out[600], tiny[7];
	unsigned char *copy;

	if (size > sizeof(struct sockaddr_storage))
		size = sizeof(struct sockaddr_storage);
	/* An exact-size heap copy, so ASan sees any read past addrlen. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	sbx_addr_decode(copy, size, &a);
	if (a.kind == SBX_ADDR_UNIX_PATH && strnlen(a.path, sizeof(a.path)) == sizeof(a.path))
		abort();
	if (a.kind == SBX_ADDR_UNIX_ABSTRACT && a.name_len > sizeof(a.name))
		abort();
	if (size < sizeof(sa_family_t) && a.kind != SBX_ADDR_NONE)
		abort();
	sbx_addr_format(&a, out, sizeof(out));
	check_text(out, sizeof(out));
	sbx_addr_format(&a, tiny, sizeof(tiny));
	check_text(tiny, sizeof(tiny));
	free(copy);
	return 0;
}
