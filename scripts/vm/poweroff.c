// SPDX-License-Identifier: GPL-2.0
/* Guest helper: waits until the serial console has sent every byte, then powers off. */
/* Context: user space inside the test guest (PID 1's last command). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
	const char *ttys[] = { "/dev/console", "/dev/ttyS0" };
	unsigned int i;

	fflush(NULL);
	for (i = 0; i < sizeof(ttys) / sizeof(ttys[0]); i++) {
		int fd = open(ttys[i], O_WRONLY | O_NOCTTY);

		if (fd >= 0) {
			tcdrain(fd);
			close(fd);
		}
	}
	sync();
	reboot(RB_POWER_OFF);
	perror("reboot");
	return 1;
}
