// SPDX-License-Identifier: GPL-2.0
/* Small pseudo-files: sysfs, procfs and cgroupfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int ktstr_read_file(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ktstr_fail("open %s: %s", path, strerror(errno));
	/* Pseudo-files may hand out their content in several reads. */
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ktstr_fail("read %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	close(fd);
	if (got == len - 1)
		return ktstr_fail("read %s: larger than %zu bytes", path,
				  len - 1);
	return got;
}

int ktstr_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return ktstr_fail("write '%.*s' to %s: open: %s",
				  (int)strcspn(text, "\n"), text, path,
				  strerror(errno));
	/* kernfs parses each write(2) on its own: never split one. */
	do {
		n = write(fd, text, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		ktstr_fail("write '%.*s' to %s: %s", (int)strcspn(text, "\n"),
			   text, path, n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int ktstr_read_cpulist(const char *path, cpu_set_t *out)
{
	char buf[4096], why[256];

	if (ktstr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if (ktstr_cpus_parse(buf, out) < 0) {
		/* The message is about to be overwritten: copy it first. */
		snprintf(why, sizeof(why), "%s", ktstr_errmsg());
		return ktstr_fail("%s: %s", path, why);
	}
	return 0;
}
