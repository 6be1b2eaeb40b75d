// SPDX-License-Identifier: GPL-2.0
/* The service's module parameters, and the hidden state they shape before launch. */
/* Context: process context (module load). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/build_bug.h>
#include <linux/ioport.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/io.h>
#include <asm/page.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "../token/ed25519.h"
#include "../token/sha256.h"
#include "../vmx/caps.h"
#include "../vmx/root_text.h"
#include "../vmx/service.h"
#include "params.h"

static unsigned int max_sessions = 64;
module_param(max_sessions, uint, 0444);
MODULE_PARM_DESC(max_sessions,
		 "Trusted-program sessions at most at one time (default 64); more attach: -ENOSPC");

static unsigned int max_protected_pages = 16384;
module_param(max_protected_pages, uint, 0444);
MODULE_PARM_DESC(max_protected_pages,
		 "Pages (code, data and session pages of all sessions) the hypervisor protects at most (default 16384); beyond: -ENOSPC");

static unsigned int max_session_pages = 4096;
module_param(max_session_pages, uint, 0444);
MODULE_PARM_DESC(max_session_pages,
		 "Data pages one session may protect (default 4096); a PROTECT that could go beyond: -ENOSPC before any page is looked at");

static unsigned int check_period_ms = 200;
module_param(check_period_ms, uint, 0444);
MODULE_PARM_DESC(check_period_ms,
		 "Milliseconds between the hypervisor's own integrity checks, on each CPU while sessions are open; each hashes 32 protected pages, round robin (default 200; 0: only when programs call)");

static bool enforce;
module_param(enforce, bool, 0444);
MODULE_PARM_DESC(enforce,
		 "Drop writes to the code of trusted programs instead of letting them complete and revoking the session (default 0)");

static bool watch_page_tables = true;
module_param(watch_page_tables, bool, 0444);
MODULE_PARM_DESC(watch_page_tables,
		 "Write-protect the page tables a session's calls walk, so that a call walks them again only after the kernel wrote one (default 1; 0: every call walks every protected page)");

static unsigned int bad_token_limit = 8;
module_param(bad_token_limit, uint, 0444);
MODULE_PARM_DESC(bad_token_limit,
		 "Calls with a wrong token before a session is locked out (default 8)");

static unsigned int ept_pool_pages = 1024;
module_param(ept_pool_pages, uint, 0444);
MODULE_PARM_DESC(ept_pool_pages,
		 "Pages set aside for splitting EPT large pages when frames are protected; releasing the last protected page of a region gives them back (default 1024)");

static unsigned int max_secrets = 16;
module_param(max_secrets, uint, 0444);
MODULE_PARM_DESC(max_secrets,
		 "Secrets of up to 4 KiB the hypervisor keeps for all trusted programs together (default 16)");

static unsigned int max_secrets_per_program = 4;
module_param(max_secrets_per_program, uint, 0444);
MODULE_PARM_DESC(max_secrets_per_program,
		 "Secrets one registered program may keep (default 4); beyond: -ENOSPC");

static unsigned int max_session_ept_tables = 64;
module_param(max_session_ept_tables, uint, 0444);
MODULE_PARM_DESC(max_session_ept_tables,
		 "EPT split tables the data pages one session protects may take (default 64); beyond: -ENOSPC");

static int hvt_add_ram(struct resource *res, void *arg)
{
	struct hvt_trust *trust = arg;

	if (trust->nr_ram == HVT_RAM_RANGES)
		return -ENOSPC;
	trust->ram[trust->nr_ram].start = res->start;
	trust->ram[trust->nr_ram].end = res->end + 1;
	trust->nr_ram++;
	return 0;
}

/* The timer counts down at the TSC rate divided by 2^IA32_VMX_MISC[4:0]. */
static u32 hvt_check_ticks(const struct hvt_vmx_config *cfg)
{
	u64 ticks;

	if (!check_period_ms || !(cfg->pinbased & PIN_BASED_VMX_PREEMPTION_TIMER) || !tsc_khz)
		return 0;
	ticks = ((u64)tsc_khz * check_period_ms) >> hvt_preemption_timer_shift(&cfg->caps);
	return clamp_t(u64, ticks, 1, U32_MAX);
}

/*
 * The vDSO is the one executable mapping of a trusted program that comes
 * from the kernel, not from a registered file. Root learns its frames and
 * their hash now, while the kernel is still trusted, from the loading
 * process's mapping: every process maps the same frames. Without a vDSO
 * here (booted with vdso=0), no session may have one.
 */
static int hvt_learn_vdso(struct hvt_trust *trust)
{
	struct mm_struct *mm = current->mm;
	unsigned long start = 0, end = 0, addr;
	struct vm_area_struct *vma;

	if (!mm || !mm->context.vdso)
		return 0;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, (unsigned long)mm->context.vdso);
	if (vma) {
		start = vma->vm_start;
		end = vma->vm_end;
	}
	mmap_read_unlock(mm);
	if (!vma || (end - start) / PAGE_SIZE > HVT_VDSO_MAX_PAGES) {
		pr_err("vDSO of %lu bytes at %#lx: cannot describe it to the hypervisor\n",
		       end - start, start);
		return -E2BIG;
	}
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		struct hvt_vdso_page *vdso = &trust->vdso[trust->nr_vdso];
		struct page *page;

		if (get_user_pages_fast(addr, 1, 0, &page) != 1) {
			pr_err("cannot reach the vDSO page at %#lx\n", addr);
			return -EFAULT;
		}
		vdso->pa = page_to_phys(page);
		kernel_fpu_begin();
		hvt_sha256(page_address(page), PAGE_SIZE, vdso->hash);
		kernel_fpu_end();
		put_page(page);
		trust->nr_vdso++;
	}
	return 0;
}

static struct hvtrust_quote_key hvt_quote_key;

/*
 * The quote key, from the token generator (seeded from Linux's CRNG just
 * before), and the hash of root's code as loaded, which every quote
 * carries: both before launch, when this memory is still Linux's, as all
 * of the hypervisor's state is until then. The module keeps the public
 * half for HVTRUST_IOC_GET_QUOTE_KEY.
 */
static int hvt_params_quote_key(struct hvt_trust *trust)
{
	int err;

	kernel_fpu_begin();
	err = hvt_drbg_generate(&trust->drbg, trust->quote_seed, sizeof(trust->quote_seed));
	if (!err) {
		hvt_ed25519_public_key(trust->quote_seed, trust->quote_public_key);
		hvt_sha256(trust->quote_public_key, sizeof(trust->quote_public_key),
			   trust->quote_key_sha256);
		hvt_sha256(hvt_root_text_start, hvt_root_text_end - hvt_root_text_start,
			   trust->root_code_sha256);
	}
	kernel_fpu_end();
	if (err) {
		pr_err("cannot make the quote key: error %d\n", err);
		return err;
	}
	hvt_quote_key.size = sizeof(hvt_quote_key);
	memcpy(hvt_quote_key.public_key, trust->quote_public_key, sizeof(hvt_quote_key.public_key));
	memcpy(hvt_quote_key.key_sha256, trust->quote_key_sha256, sizeof(hvt_quote_key.key_sha256));
	pr_info("quote key %*phN (SHA-256 %*phN)\n",
		(int)sizeof(hvt_quote_key.public_key), hvt_quote_key.public_key,
		(int)sizeof(hvt_quote_key.key_sha256), hvt_quote_key.key_sha256);
	return 0;
}

/* Buckets of each frame index (struct hvt_trust): a power of two, at least max_protected_pages. */
static unsigned int hvt_frame_hash_bits(void)
{
	return max(order_base_2(max_protected_pages), 1);
}

/**
 * hvt_params_setup_service() - fill in the service's state before launch
 * @trust: in hidden memory, zeroed but for its tables: room for
 *         max_sessions sessions and max_protected_pages frames, and the
 *         EPT split pool
 * @vmm_config: the controls the hypervisor runs with
 *
 * Return: 0 or -errno.
 */
int hvt_params_setup_service(struct hvt_trust *trust, const struct hvt_vmx_config *vmm_config)
{
	int err;

	trust->max_sessions = max_sessions;
	trust->max_frames = max_protected_pages;
	trust->frame_hash_bits = hvt_frame_hash_bits();
	trust->gpa_buckets = (u32 *)(trust->frames + max_protected_pages);
	trust->gva_buckets = trust->gpa_buckets + (1U << trust->frame_hash_bits);
	trust->max_session_pages = max_session_pages;
	trust->max_session_tables = max_session_ept_tables;
	trust->max_secrets = max_secrets;
	trust->max_secrets_per_binary = max_secrets_per_program;
	trust->bad_token_limit = max(bad_token_limit, 1U);
	trust->cr3_ignore = boot_cpu_has(X86_FEATURE_PTI) ? BIT_ULL(PAGE_SHIFT) : 0;
	trust->direct_map = PAGE_OFFSET;
	trust->has_rdrand = boot_cpu_has(X86_FEATURE_RDRAND);
	trust->enforce = enforce;
	trust->watch_tables = watch_page_tables;
	err = walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				  0, -1, trust, hvt_add_ram);
	if (err) {
		pr_err("more than %u RAM ranges: cannot describe memory to the hypervisor\n",
		       HVT_RAM_RANGES);
		return err;
	}
	err = hvt_learn_vdso(trust);
	if (err)
		return err;
	trust->check_ticks = hvt_check_ticks(vmm_config);
	trust->timer_save = hvt_cpu_has_save_preemption_timer(&vmm_config->caps);
	hvt_params_reseed(trust);
	return hvt_params_quote_key(trust);
}

/**
 * hvt_params_quote_key_of() - the public half of the quote key
 * @out: the ioctl's argument
 *
 * Return: 0, or -ENODEV before the hypervisor made one.
 */
int hvt_params_quote_key_of(struct hvtrust_quote_key *out)
{
	if (!hvt_quote_key.size)
		return -ENODEV;
	memcpy(out->public_key, hvt_quote_key.public_key, sizeof(out->public_key));
	memcpy(out->key_sha256, hvt_quote_key.key_sha256, sizeof(out->key_sha256));
	return 0;
}

/**
 * hvt_params_reseed() - mix fresh randomness from Linux into the token generator
 * @trust: the service, with no CPU virtualized (its memory is Linux's now)
 *
 * At load, and after suspend or hibernation: the generator's state lay in
 * memory Linux could read while every CPU was out of VMX, and a
 * hibernation image holds a copy of it. What it issues afterwards must not
 * follow from that state alone.
 */
void hvt_params_reseed(struct hvt_trust *trust)
{
	u8 seed[64];

	get_random_bytes(seed, sizeof(seed));
	kernel_fpu_begin();
	hvt_drbg_mix(&trust->drbg, seed, sizeof(seed));
	kernel_fpu_end();
	memzero_explicit(seed, sizeof(seed));
}

/* The selftests count the hidden pages of these tables (hvt_trust_hidden_pages()). */
static_assert(sizeof(struct hvt_session) == 784);
static_assert(sizeof(struct hvt_frame) == 80);
static_assert(sizeof(struct hvt_secret) == 4136);

size_t hvt_params_sessions_size(void)
{
	return (size_t)max_sessions * sizeof(struct hvt_session);
}

/* The frames, then the buckets by frame, then those by session and address. */
size_t hvt_params_frames_size(void)
{
	return (size_t)max_protected_pages * sizeof(struct hvt_frame) +
	       2 * sizeof(u32) * ((size_t)1 << hvt_frame_hash_bits());
}

bool hvt_params_valid(void)
{
	if (!max_sessions || max_sessions > 4096 || !max_protected_pages ||
	    max_protected_pages > (1U << 20)) {
		pr_err("max_sessions must be 1..4096 and max_protected_pages 1..1048576\n");
		return false;
	}
	if (!max_session_pages || max_session_pages > max_protected_pages) {
		pr_err("max_session_pages must be 1..max_protected_pages (%u)\n",
		       max_protected_pages);
		return false;
	}
	if (!max_secrets || max_secrets > 1024 || !max_secrets_per_program ||
	    max_secrets_per_program > max_secrets) {
		pr_err("max_secrets must be 1..1024 and max_secrets_per_program 1..max_secrets (%u)\n",
		       max_secrets);
		return false;
	}
	if (!ept_pool_pages || ept_pool_pages > (1U << 20) ||
	    !max_session_ept_tables || max_session_ept_tables > ept_pool_pages) {
		pr_err("ept_pool_pages must be 1..1048576 and max_session_ept_tables 1..ept_pool_pages (%u)\n",
		       ept_pool_pages);
		return false;
	}
	return true;
}

size_t hvt_params_secrets_size(void)
{
	return ((size_t)max_secrets + 1) * sizeof(struct hvt_secret);
}

size_t hvt_params_pool_size(void)
{
	return (size_t)ept_pool_pages * sizeof(u64);
}

unsigned int hvt_params_pool_pages(void)
{
	return ept_pool_pages;
}
