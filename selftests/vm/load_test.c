// SPDX-License-Identifier: GPL-2.0
/* Selftest: hvtrust loads where CPUID offers VT-x and refuses cleanly where it does not. */
/* Context: user space inside the test guest (root); leaves the module loaded where it can. */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "hvt_test_util.h"

/*
 * The bench says on the kernel command line what the emulated CPU is meant
 * to be (hvtest.expect=load|refuse); run by hand, CPUID decides.
 */
static bool expect_load(void)
{
	char value[32];

	if (hvt_cmdline_param("hvtest.expect", value, sizeof(value)))
		return strcmp(value, "refuse") != 0;
	return hvt_cpu_is_intel_vmx();
}

static void ensure_unloaded(void)
{
	if (hvt_module_listed("hvtrust"))
		hvt_unload_module("hvtrust");
}

TEST(cpuid_agrees_with_bench)
{
	char vendor[13];

	hvt_cpu_vendor(vendor);
	TH_LOG("CPU vendor %s, VMX %s", vendor,
	       hvt_cpu_is_intel_vmx() ? "yes" : "no");
	ASSERT_EQ(expect_load(), hvt_cpu_is_intel_vmx());
}

TEST(load_or_refuse)
{
	struct stat st;
	int kmsg, ret;

	ensure_unloaded();
	kmsg = hvt_kmsg_open();
	ASSERT_LE(0, kmsg);
	ret = hvt_load_module(hvt_module_path(), "");
	if (expect_load()) {
		ASSERT_EQ(0, ret) {
			TH_LOG("finit_module: %s", strerror(errno));
		}
		ASSERT_TRUE(hvt_module_listed("hvtrust"));
		ASSERT_EQ(0, stat("/dev/hvtrust", &st));
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(0600, st.st_mode & 0777);
		EXPECT_TRUE(hvt_kmsg_find(kmsg, "hvtrust: VMX usable on", NULL));
	} else {
		char vendor[13];

		hvt_cpu_vendor(vendor);
		ASSERT_EQ(-1, ret);
		ASSERT_EQ(ENODEV, errno);
		EXPECT_FALSE(hvt_module_listed("hvtrust"));
		EXPECT_NE(0, stat("/dev/hvtrust", &st));
		EXPECT_TRUE(hvt_kmsg_find(kmsg, "hvtrust: CPU vendor is", vendor));
		EXPECT_TRUE(hvt_kmsg_find(kmsg, "hvtrust: not loaded (error -19)", NULL));
	}
	close(kmsg);
}

TEST(refusal_is_repeatable)
{
	int i;

	if (expect_load())
		SKIP(return, "CPU offers VT-x");
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(-1, hvt_load_module(hvt_module_path(), ""));
		ASSERT_EQ(ENODEV, errno);
		ASSERT_FALSE(hvt_module_listed("hvtrust"));
	}
}

TEST(unload_and_reload)
{
	struct stat st;
	int i;

	if (!expect_load())
		SKIP(return, "CPU offers no VT-x");
	for (i = 0; i < 3; i++) {
		ensure_unloaded();
		ASSERT_FALSE(hvt_module_listed("hvtrust"));
		ASSERT_NE(0, stat("/dev/hvtrust", &st));
		ASSERT_EQ(0, hvt_load_module(hvt_module_path(), "")) {
			TH_LOG("finit_module: %s", strerror(errno));
		}
		ASSERT_EQ(0, stat("/dev/hvtrust", &st));
	}
}

TEST_HARNESS_MAIN
