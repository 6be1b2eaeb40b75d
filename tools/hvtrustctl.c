// SPDX-License-Identifier: GPL-2.0
/* hvtrustctl: the administrator's command-line tool for /dev/hvtrust. */
/* Context: user space (root). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../uapi/hvtrust.h"

#define HVTRUSTCTL_VERSION	"0.1"
#define DEVICE_PATH		"/dev/" HVTRUST_DEVICE_NAME

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILURE_GENERIC = 1,
	EXIT_USAGE = 2,
	EXIT_NO_MODULE = 3,
};

static bool json_output;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hvtrustctl [OPTION]... COMMAND\n"
		"Control the hvtrust hypervisor through " DEVICE_PATH ".\n"
		"\n"
		"Commands:\n"
		"  status     show whether the hypervisor runs, its VM exits per CPU,\n"
		"             and the VMX capabilities and controls it uses\n"
		"\n"
		"Options:\n"
		"  -j, --json     print machine-readable JSON\n"
		"  -h, --help     display this help and exit\n"
		"  -V, --version  output version information and exit\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error, 3 hvtrust not loaded.\n");
}

static int open_device(void)
{
	int fd = open(DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "hvtrustctl: cannot open %s: %s%s\n", DEVICE_PATH,
			strerror(err),
			err == ENOENT ? " (is the hvtrust module loaded?)" : "");
		return -err;
	}
	return fd;
}

/* Names of the basic exit reasons hvtrust handles (SDM Vol. 3D, appendix C). */
static const char *const exit_names[HVTRUST_EXIT_REASONS] = {
	[0] = "exception/NMI", [2] = "triple fault", [3] = "INIT", [8] = "NMI window",
	[10] = "CPUID", [11] = "GETSEC", [13] = "INVD", [18] = "VMCALL",
	[19] = "VMCLEAR", [20] = "VMLAUNCH", [21] = "VMPTRLD", [22] = "VMPTRST",
	[23] = "VMREAD", [24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMXOFF",
	[27] = "VMXON", [28] = "CR access", [31] = "RDMSR", [32] = "WRMSR",
	[33] = "invalid guest state", [48] = "EPT violation", [49] = "EPT misconfig",
	[50] = "INVEPT", [53] = "INVVPID", [55] = "XSETBV",
};

static void print_exits(int fd, unsigned int cpus_online)
{
	unsigned int cpu, reason;

	for (cpu = 0; cpu < cpus_online; cpu++) {
		struct hvtrust_exits exits = { .size = sizeof(exits), .cpu = cpu };
		bool first = true;

		if (ioctl(fd, HVTRUST_IOC_GET_EXITS, &exits))
			continue;
		if (json_output) {
			printf("%s{\"cpu\":%u,\"exits\":{", cpu ? "," : "", cpu);
			for (reason = 0; reason < HVTRUST_EXIT_REASONS; reason++) {
				if (!exits.counts[reason])
					continue;
				printf("%s\"%u\":%llu", first ? "" : ",", reason,
				       (unsigned long long)exits.counts[reason]);
				first = false;
			}
			printf("}}");
			continue;
		}
		printf("  CPU %u VM exits:", cpu);
		for (reason = 0; reason < HVTRUST_EXIT_REASONS; reason++) {
			if (!exits.counts[reason])
				continue;
			if (exit_names[reason])
				printf(" %s %llu", exit_names[reason],
				       (unsigned long long)exits.counts[reason]);
			else
				printf(" reason %u: %llu", reason,
				       (unsigned long long)exits.counts[reason]);
		}
		printf("\n");
	}
}

static int cmd_status(void)
{
	struct hvtrust_caps caps = { .size = sizeof(caps) };
	struct hvtrust_status status = { .size = sizeof(status) };
	int fd = open_device();

	if (fd < 0)
		return fd == -ENOENT ? EXIT_NO_MODULE : EXIT_FAILURE_GENERIC;
	if (ioctl(fd, HVTRUST_IOC_GET_CAPS, &caps) ||
	    ioctl(fd, HVTRUST_IOC_GET_STATUS, &status)) {
		fprintf(stderr, "hvtrustctl: reading %s: %s\n", DEVICE_PATH, strerror(errno));
		close(fd);
		return EXIT_FAILURE_GENERIC;
	}

	if (json_output) {
		printf("{\"virtualized\":%s,\"cpus_online\":%u,\"cpus_virtualized\":%u,"
		       "\"hidden_pages\":%llu,\"cpus\":[",
		       status.flags & HVTRUST_STATUS_VIRTUALIZED ? "true" : "false",
		       status.cpus_online, status.cpus_virtualized,
		       (unsigned long long)status.hidden_pages);
		print_exits(fd, status.cpus_online);
		printf("],\"caps\":");
	} else {
		printf("hypervisor: %s, %u of %u online CPUs virtualized, %llu pages hidden from Linux\n",
		       status.flags & HVTRUST_STATUS_VIRTUALIZED ? "running" : "not running",
		       status.cpus_virtualized, status.cpus_online,
		       (unsigned long long)status.hidden_pages);
		print_exits(fd, status.cpus_online);
	}
	close(fd);

	if (json_output) {
		printf("{\"abi_version\":%u,\"cpus\":%u,\"true_ctls\":%s,"
		       "\"uniform\":%s,\"msr\":{\"feature_control\":%llu,"
		       "\"vmx_basic\":%llu,\"pinbased_ctls\":%llu,"
		       "\"procbased_ctls\":%llu,\"exit_ctls\":%llu,"
		       "\"entry_ctls\":%llu,\"procbased_ctls2\":%llu,"
		       "\"ept_vpid_cap\":%llu,\"misc\":%llu,\"vmfunc\":%llu},"
		       "\"controls\":{\"pinbased\":%u,\"procbased\":%u,"
		       "\"procbased2\":%u,\"exit\":%u,\"entry\":%u}}",
		       caps.abi_version, caps.nr_cpus,
		       caps.flags & HVTRUST_CAPS_TRUE_CTLS ? "true" : "false",
		       caps.flags & HVTRUST_CAPS_UNIFORM ? "true" : "false",
		       (unsigned long long)caps.feature_control,
		       (unsigned long long)caps.vmx_basic,
		       (unsigned long long)caps.pinbased_ctls,
		       (unsigned long long)caps.procbased_ctls,
		       (unsigned long long)caps.exit_ctls,
		       (unsigned long long)caps.entry_ctls,
		       (unsigned long long)caps.procbased_ctls2,
		       (unsigned long long)caps.ept_vpid_cap,
		       (unsigned long long)caps.misc,
		       (unsigned long long)caps.vmfunc,
		       caps.pinbased_exec, caps.procbased_exec,
		       caps.procbased_exec2, caps.exit_controls,
		       caps.entry_controls);
		printf("}\n");
		return EXIT_OK;
	}

	printf("hvtrust ABI %u, %u CPUs with identical VMX capabilities%s\n",
	       caps.abi_version, caps.nr_cpus,
	       caps.flags & HVTRUST_CAPS_TRUE_CTLS ? " (TRUE_* controls)" : "");
	printf("  IA32_FEATURE_CONTROL    %#018llx\n", (unsigned long long)caps.feature_control);
	printf("  IA32_VMX_BASIC          %#018llx  VMCS revision %#llx, %llu bytes\n",
	       (unsigned long long)caps.vmx_basic,
	       (unsigned long long)(caps.vmx_basic & 0x7fffffff),
	       (unsigned long long)((caps.vmx_basic >> 32) & 0x1fff));
	printf("  pin-based capability    %#018llx  -> controls %#010x\n",
	       (unsigned long long)caps.pinbased_ctls, caps.pinbased_exec);
	printf("  primary proc capability %#018llx  -> controls %#010x\n",
	       (unsigned long long)caps.procbased_ctls, caps.procbased_exec);
	printf("  secondary capability    %#018llx  -> controls %#010x (EPT %s, VPID %s)\n",
	       (unsigned long long)caps.procbased_ctls2, caps.procbased_exec2,
	       caps.procbased_exec2 & (1U << 1) ? "on" : "off",
	       caps.procbased_exec2 & (1U << 5) ? "on" : "off");
	printf("  VM-exit capability      %#018llx  -> controls %#010x\n",
	       (unsigned long long)caps.exit_ctls, caps.exit_controls);
	printf("  VM-entry capability     %#018llx  -> controls %#010x\n",
	       (unsigned long long)caps.entry_ctls, caps.entry_controls);
	printf("  IA32_VMX_EPT_VPID_CAP   %#018llx\n", (unsigned long long)caps.ept_vpid_cap);
	printf("  IA32_VMX_MISC           %#018llx\n", (unsigned long long)caps.misc);
	printf("  IA32_VMX_VMFUNC         %#018llx\n", (unsigned long long)caps.vmfunc);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "jhV", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json_output = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("hvtrustctl %s (hvtrust ABI %d)\n", HVTRUSTCTL_VERSION,
			       HVTRUST_ABI_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "hvtrustctl: missing command\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "status") && optind + 1 == argc)
		return cmd_status();
	fprintf(stderr, "hvtrustctl: unknown command or extra arguments: '%s'\n",
		argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
