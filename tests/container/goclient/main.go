// The container tests' Go client: the C client's interface and output (client.c), built
// with CGO_ENABLED=0, so its system calls are Go's own raw ones, not libc's.
//
//	client-go unix PATH        client-go tcp ADDR PORT
package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

var names = map[syscall.Errno]string{
	syscall.EPERM:        "EPERM",
	syscall.EACCES:       "EACCES",
	syscall.ENOENT:       "ENOENT",
	syscall.ECONNREFUSED: "ECONNREFUSED",
	syscall.EAGAIN:       "EAGAIN",
	syscall.ENETUNREACH:  "ENETUNREACH",
}

func fail(err error) {
	var e syscall.Errno
	if errors.As(err, &e) {
		if n, ok := names[e]; ok {
			fmt.Printf("errno %s\n", n)
		} else {
			fmt.Printf("errno E%d\n", int(e))
		}
	} else {
		fmt.Printf("error %v\n", err)
	}
	os.Exit(3)
}

func main() {
	var network, addr string
	switch {
	case len(os.Args) == 3 && os.Args[1] == "unix":
		network, addr = "unix", os.Args[2]
	case len(os.Args) == 4 && os.Args[1] == "tcp":
		network, addr = "tcp4", net.JoinHostPort(os.Args[2], os.Args[3])
	default:
		fmt.Fprintln(os.Stderr, "usage: client-go unix PATH | client-go tcp ADDR PORT")
		os.Exit(2)
	}
	c, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		fail(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil && line == "" {
		fail(err)
	}
	if len(line) > 0 && line[len(line)-1] == '\n' {
		line = line[:len(line)-1]
	}
	fmt.Printf("ok %s\n", line)
}
