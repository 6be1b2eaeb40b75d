// SPDX-License-Identifier: GPL-2.0
/* Unit tests of tools/libhvtrust.c where no hypervisor runs: refusals and error names. */
/* Context: user space, native build (the host has no hvtrust hypervisor). */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../tools/libhvtrust.h"

/* Without the hypervisor every entry point answers, none executes VMCALL. */
TEST(no_hypervisor_means_enodev)
{
	struct hvtrust_session *s = (void *)1;

	if (hvtrust_present())
		SKIP(return, "the hvtrust hypervisor runs on this machine");
	EXPECT_EQ(-ENODEV, hvtrust_open(&s));
	EXPECT_EQ(NULL, s);
}

TEST(null_arguments)
{
	struct hvtrust_session_status st;
	uintptr_t changed = 1;
	char buf[16];

	EXPECT_EQ(-EINVAL, hvtrust_open(NULL));
	EXPECT_EQ(-EINVAL, hvtrust_protect(NULL, buf, sizeof(buf)));
	EXPECT_EQ(-EINVAL, hvtrust_unprotect(NULL, buf, sizeof(buf)));
	EXPECT_EQ(-EINVAL, hvtrust_check(NULL, &changed));
	EXPECT_EQ(0, changed);
	EXPECT_EQ(-EINVAL, hvtrust_status(NULL, &st));
	EXPECT_EQ(-EINVAL, hvtrust_close(NULL));
}

TEST(error_texts)
{
	static const int hvtrust_errors[] = {
		-ENODEV, -ENOENT, -EBUSY, -ESRCH, -EACCES, -EBADMSG, -EPERM,
		-EKEYREJECTED, -EKEYREVOKED, -EDQUOT, -EFAULT, -ENOSPC, -EPROTO,
	};
	size_t i, j;

	for (i = 0; i < sizeof(hvtrust_errors) / sizeof(hvtrust_errors[0]); i++) {
		const char *text = hvtrust_strerror(hvtrust_errors[i]);

		ASSERT_NE(NULL, text);
		/* an hvtrust meaning, not the C library's generic one */
		EXPECT_STRNE(strerror(-hvtrust_errors[i]), text);
		for (j = 0; j < i; j++)
			EXPECT_STRNE(hvtrust_strerror(hvtrust_errors[j]), text);
	}
	EXPECT_STREQ(strerror(EIO), hvtrust_strerror(-EIO));
	EXPECT_STREQ(strerror(EIO), hvtrust_strerror(EIO));
	EXPECT_NE(NULL, hvtrust_strerror(-100000));
	EXPECT_NE(NULL, strstr(hvtrust_strerror(-EKEYREVOKED), "revoked"));
}

TEST_HARNESS_MAIN
