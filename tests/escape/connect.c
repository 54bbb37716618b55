// SPDX-License-Identifier: MIT
/*
 * Escape attempt 6: reach a service on the host. argv: TCP port of a host
 * listener on 0.0.0.0, a host address other than loopback ("-" for none), the
 * name of a host abstract AF_UNIX listener, then paths of host AF_UNIX
 * listeners. TCP to 127.0.0.1, ::1 and the host address must fail (the
 * sandbox has its own loopback), and so must the AF_UNIX sockets: the
 * abstract one (per network namespace) and those bound to paths (visible
 * through the read-only host tree and through the /tmp overlay's lower layer).
 * The host listener logs whatever reaches it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "escape.h"

static void tcp(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long s, rc;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &a->sin6_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &a->sin_addr);
		len = sizeof(*a);
	}
	s = socket(ss.ss_family, SOCK_STREAM, 0);
	rc = attempt(connect((int)s, (struct sockaddr *)&ss, len), "connect tcp %s port %d", addr, port);
	if (rc == 0)
		attempt(write((int)s, "escaped\n", 8), "  write");
	close((int)s);
	s = socket(ss.ss_family, SOCK_DGRAM, 0);
	attempt(sendto((int)s, "escaped\n", 8, 0, (struct sockaddr *)&ss, len), "sendto udp %s port %d (no reply expected)", addr, port);
	close((int)s);
}

static void unix_sock(const char *name, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	socklen_t len;
	long s, rc;

	if (n + 2 > sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path + (abstract ? 1 : 0), name, n);
	/* a path counts its final NUL, an abstract name its leading one */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	rc = attempt(connect((int)s, (struct sockaddr *)&sa, len), "connect unix %s%s", abstract ? "@" : "", name);
	if (rc == 0)
		attempt(write((int)s, "escaped\n", 8), "  write");
	close((int)s);
}

int main(int argc, char **argv)
{
	int port, i;

	escape_init();
	if (argc < 5) {
		fprintf(stderr, "usage: connect PORT HOST_ADDR|- ABSTRACT_NAME UNIX_PATH...\n");
		return 2;
	}
	port = atoi(argv[1]);
	tcp("127.0.0.1", port);
	tcp("::1", port);
	if (strcmp(argv[2], "-"))
		tcp(argv[2], port);
	unix_sock(argv[3], true);
	for (i = 4; i < argc; i++)
		unix_sock(argv[i], false);
	return 0;
}
