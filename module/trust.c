// SPDX-License-Identifier: GPL-2.0
/* Linux glue of the trusted-program service: registry, attach, session pages, audit. */
/* Context: process context (ioctls, mmap, mmu notifier release, the log worker). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/io.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "../token/manifest.h"
#include "../token/sha256.h"
#include "../uapi/hvtrust.h"
#include "../vmx/hv.h"
#include "../vmx/trust.h"
#include "hvtrust.h"

#define HVT_MAX_FILE_SIZE	(256ULL << 20)
#define HVT_AUDIT_RING		256
#define HVT_CALL_STUB		"\x0f\x01\xc1\xc3"	/* vmcall; ret */
/* mov $-ENODEV, %rax; ret: what the stub becomes when the module unloads */
#define HVT_GONE_STUB		"\x48\xc7\xc0\xed\xff\xff\xff\xc3"

static unsigned int max_sessions = 64;
module_param(max_sessions, uint, 0444);
MODULE_PARM_DESC(max_sessions,
		 "Trusted-program sessions at most at one time (default 64); more attach: -ENOSPC");

static unsigned int max_protected_pages = 16384;
module_param(max_protected_pages, uint, 0444);
MODULE_PARM_DESC(max_protected_pages,
		 "Pages (code, data and session pages of all sessions) the hypervisor protects at most (default 16384); beyond: -ENOSPC");

static unsigned int check_period_ms = 200;
module_param(check_period_ms, uint, 0444);
MODULE_PARM_DESC(check_period_ms,
		 "Milliseconds between the hypervisor's own integrity checks, on each CPU while sessions are open; each hashes 32 protected pages, round robin (default 200; 0: only when programs call)");

static bool enforce;
module_param(enforce, bool, 0444);
MODULE_PARM_DESC(enforce,
		 "Drop writes to the code of trusted programs instead of letting them complete and revoking the session (default 0)");

static unsigned int bad_token_limit = 8;
module_param(bad_token_limit, uint, 0444);
MODULE_PARM_DESC(bad_token_limit,
		 "Calls with a wrong token before a session is locked out (default 8)");

/**
 * struct hvt_binary_glue - what the module keeps of a registered binary
 * @used: the slot holds a binary
 * @manifest: the manifest handed to the hypervisor (hidden from Linux now)
 * @manifest_size: its size
 * @info: what LIST reports
 * @first_offset: file offset of its first executable segment
 * @nr_segments: its executable segments
 * @seg_vaddr: where each is mapped, relative to the load bias
 * @seg_size: bytes of each
 */
struct hvt_binary_glue {
	bool used;
	void *manifest;
	size_t manifest_size;
	struct hvtrust_binary info;
	u64 first_offset;
	u32 nr_segments;
	u64 seg_vaddr[HVTRUST_MANIFEST_MAX_SEGMENTS];
	u64 seg_size[HVTRUST_MANIFEST_MAX_SEGMENTS];
};

/**
 * struct hvt_session_glue - one session as the module tracks it
 * @mn: notifier that ends the session when the address space goes away
 * @node: in hvt_sessions
 * @id: the hypervisor's session id, 0 once ended
 * @binary: registry id
 * @page: the session page
 * @pid: the process that attached
 * @comm: its name then
 * @released: the session's reference on the notifier was dropped (address
 *            space gone, or the module unloading)
 */
struct hvt_session_glue {
	struct mmu_notifier mn;
	struct list_head node;
	bool released;
	u64 id;
	u32 binary;
	struct page *page;
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

static DEFINE_MUTEX(hvt_trust_mutex);
static struct hvt_binary_glue hvt_binaries[HVT_MAX_BINARIES];
static LIST_HEAD(hvt_sessions);
static bool hvt_sealed;

static DEFINE_SPINLOCK(hvt_audit_lock);
static DECLARE_WAIT_QUEUE_HEAD(hvt_audit_wait);
static struct hvtrust_audit hvt_audit_ring[HVT_AUDIT_RING];
static unsigned int hvt_audit_head, hvt_audit_tail, hvt_audit_lost;
static DEFINE_SPINLOCK(hvt_sessions_lock);

static const char * const hvt_audit_names[] = {
	[HVTRUST_AUDIT_WRITE] = "write to a protected page",
	[HVTRUST_AUDIT_REMAPPED] = "protected page remapped with other contents",
	[HVTRUST_AUDIT_BAD_TOKEN] = "wrong token",
	[HVTRUST_AUDIT_LOCKED_OUT] = "locked out after wrong tokens",
	[HVTRUST_AUDIT_BAD_CODE] = "code differs from the manifest",
	[HVTRUST_AUDIT_BAD_CALLER] = "call from outside the allowed call site",
	[HVTRUST_AUDIT_CHECK_FAILED] = "integrity check failed",
};

/* --- Setup, from hv.c before launch -------------------------------------- */

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
	ticks = ((u64)tsc_khz * check_period_ms) >> (cfg->caps.misc & 0x1f);
	return clamp_t(u64, ticks, 1, U32_MAX);
}

/**
 * hvt_trust_setup() - fill in the service's state before launch
 * @trust: zeroed, in hidden memory
 * @sessions: zeroed room for max_sessions sessions
 * @frames: zeroed room for max_protected_pages frames
 * @vmm_config: the controls the hypervisor runs with
 *
 * Return: 0 or -errno.
 */
int hvt_trust_setup(struct hvt_trust *trust, struct hvt_session *sessions,
		    struct hvt_frame *frames, const struct hvt_vmx_config *vmm_config)
{
	u8 seed[64];
	int err;

	trust->sessions = sessions;
	trust->frames = frames;
	trust->max_sessions = max_sessions;
	trust->max_frames = max_protected_pages;
	trust->bad_token_limit = max(bad_token_limit, 1U);
	trust->cr3_ignore = boot_cpu_has(X86_FEATURE_PTI) ? BIT_ULL(PAGE_SHIFT) : 0;
	trust->direct_map = PAGE_OFFSET;
	trust->has_rdrand = boot_cpu_has(X86_FEATURE_RDRAND);
	trust->enforce = enforce;
	err = walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				  0, -1, trust, hvt_add_ram);
	if (err) {
		pr_err("more than %u RAM ranges: cannot describe memory to the hypervisor\n",
		       HVT_RAM_RANGES);
		return err;
	}
	trust->check_ticks = hvt_check_ticks(vmm_config);
	trust->timer_save = vmm_config->caps.exit >> 32 & VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
	get_random_bytes(seed, sizeof(seed));
	kernel_fpu_begin();
	hvt_drbg_mix(&trust->drbg, seed, sizeof(seed));
	kernel_fpu_end();
	memzero_explicit(seed, sizeof(seed));
	return 0;
}

size_t hvt_trust_sessions_size(void)
{
	return (size_t)max_sessions * sizeof(struct hvt_session);
}

size_t hvt_trust_frames_size(void)
{
	return (size_t)max_protected_pages * sizeof(struct hvt_frame);
}

bool hvt_trust_params_valid(void)
{
	if (!max_sessions || max_sessions > 4096 || !max_protected_pages ||
	    max_protected_pages > (1U << 20)) {
		pr_err("max_sessions must be 1..4096 and max_protected_pages 1..1048576\n");
		return false;
	}
	return true;
}

/* --- Audit ---------------------------------------------------------------- */

static void hvt_session_owner(u64 id, pid_t *pid, char *comm)
{
	struct hvt_session_glue *g;

	*pid = 0;
	comm[0] = 0;
	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node) {
		if (g->id == id) {
			*pid = g->pid;
			memcpy(comm, g->comm, TASK_COMM_LEN);
			break;
		}
	}
	spin_unlock(&hvt_sessions_lock);
}

/**
 * hvt_trust_audit() - take an audit record VMX root logged
 * @cpu: where it happened
 * @args: the record's arguments (see HVT_LOG_AUDIT)
 */
void hvt_trust_audit(int cpu, const u64 *args)
{
	struct hvtrust_audit rec = {
		.time_ns = ktime_get_boottime_ns(),
		.kind = args[0] >> 56,
		.cpu = cpu,
		.session_id = args[0] & GENMASK_ULL(55, 0),
		.cr3 = args[1],
		.gva = args[2],
		.gpa = args[3],
	};
	const char *what = rec.kind < ARRAY_SIZE(hvt_audit_names) &&
			   hvt_audit_names[rec.kind] ? hvt_audit_names[rec.kind] : "unknown event";

	hvt_session_owner(rec.session_id, &rec.pid, rec.comm);
	pr_warn("audit: %s: session %llu (pid %d, %.16s), cr3 %#llx, address %#llx, gpa %#llx, CPU %d\n",
		what, rec.session_id, rec.pid, rec.comm, rec.cr3, rec.gva, rec.gpa, cpu);
	spin_lock(&hvt_audit_lock);
	if (hvt_audit_head - hvt_audit_tail >= HVT_AUDIT_RING) {
		hvt_audit_tail++;
		hvt_audit_lost++;
	}
	hvt_audit_ring[hvt_audit_head++ % HVT_AUDIT_RING] = rec;
	spin_unlock(&hvt_audit_lock);
	wake_up_interruptible(&hvt_audit_wait);
}

/* poll(2) on the device: readable while HVTRUST_IOC_READ_AUDIT has records. */
__poll_t hvt_dev_poll(struct file *file, poll_table *wait)
{
	bool have;

	poll_wait(file, &hvt_audit_wait, wait);
	/* Records wait in the hypervisor's rings until drained. */
	hvt_hv_drain_log();
	spin_lock(&hvt_audit_lock);
	have = hvt_audit_tail != hvt_audit_head;
	spin_unlock(&hvt_audit_lock);
	return have ? EPOLLIN | EPOLLRDNORM : 0;
}

/*
 * One array entry out to a caller whose entry size may differ from ours:
 * truncated when it knows less, zero-filled when it knows more.
 */
static int hvt_copy_entry(u8 __user *dst, size_t esize, const void *src, size_t size)
{
	if (copy_to_user(dst, src, min(esize, size)))
		return -EFAULT;
	if (esize > size && clear_user(dst + size, esize - size))
		return -EFAULT;
	return 0;
}

int hvt_ioctl_read_audit(struct file *file, void *arg)
{
	struct hvtrust_read_audit *req = arg;
	u8 __user *dst = u64_to_user_ptr(req->records);
	size_t esize = req->entry_size;
	u32 room = req->count, n = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (req->lost || !esize || esize > PAGE_SIZE)
		return -EINVAL;
	hvt_hv_drain_log();
	while (n < room) {
		struct hvtrust_audit rec;
		bool have;

		spin_lock(&hvt_audit_lock);
		have = hvt_audit_tail != hvt_audit_head;
		if (have)
			rec = hvt_audit_ring[hvt_audit_tail % HVT_AUDIT_RING];
		spin_unlock(&hvt_audit_lock);
		if (!have)
			break;
		if (hvt_copy_entry(dst + n * esize, esize, &rec, sizeof(rec)))
			return n ? 0 : -EFAULT;
		spin_lock(&hvt_audit_lock);
		hvt_audit_tail++;
		spin_unlock(&hvt_audit_lock);
		n++;
	}
	spin_lock(&hvt_audit_lock);
	req->lost = hvt_audit_lost;
	hvt_audit_lost = 0;
	spin_unlock(&hvt_audit_lock);
	req->count = n;
	return 0;
}

/* --- Registry ------------------------------------------------------------- */

/*
 * SHA-256 may run on the SHA extensions (XMM registers): outside VMX root,
 * where those registers may hold a task's state, only inside a kernel FPU
 * section. One page at a time: the section disables preemption.
 */
static void hvt_hash_update(struct hvt_sha256 *ctx, const void *data, size_t len)
{
	kernel_fpu_begin();
	hvt_sha256_update(ctx, data, len);
	kernel_fpu_end();
}

static int hvt_read_page(struct file *file, u64 offset, u64 limit, u8 *buf)
{
	loff_t pos = offset;
	size_t want = offset < limit ? min_t(u64, PAGE_SIZE, limit - offset) : 0;
	ssize_t got = want ? kernel_read(file, buf, want, &pos) : 0;

	if (got < 0)
		return got;
	if (got != want)
		return -EIO;
	memset(buf + want, 0, PAGE_SIZE - want);
	return 0;
}

/* The file behind @file must be exactly what @m describes. */
static int hvt_verify_file(struct file *file, const struct hvtrust_manifest *m)
{
	u64 size = i_size_read(file_inode(file)), off;
	u8 digest[HVT_SHA256_DIGEST_SIZE];
	struct hvt_sha256 ctx;
	u32 seg, page;
	u8 *buf;
	int err = 0;

	if (size != m->file_size)
		return -EBADMSG;
	if (size > HVT_MAX_FILE_SIZE)
		return -EFBIG;
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	hvt_sha256_init(&ctx);
	for (off = 0; off < size && !err; off += PAGE_SIZE) {
		err = hvt_read_page(file, off, size, buf);
		if (!err)
			hvt_hash_update(&ctx, buf, min_t(u64, PAGE_SIZE, size - off));
		if (fatal_signal_pending(current))
			err = -EINTR;
		cond_resched();
	}
	kernel_fpu_begin();
	hvt_sha256_final(&ctx, digest);
	kernel_fpu_end();
	if (!err && memcmp(digest, m->file_sha256, sizeof(digest)))
		err = -EBADMSG;
	for (seg = 0; seg < m->nr_segments && !err; seg++) {
		const struct hvtrust_manifest_segment *s = &m->segments[seg];

		for (page = 0; page < s->nr_pages && !err; page++) {
			u64 at = (u64)page * PAGE_SIZE;

			/* As the ELF loader maps it: zeros past EOF, and past filesz
			 * where memsz > filesz.
			 */
			err = hvt_read_page(file, s->offset + at, size, buf);
			if (err)
				break;
			if (s->memsz > s->filesz && at + PAGE_SIZE > s->filesz)
				memset(buf + (s->filesz > at ? s->filesz - at : 0), 0,
				       PAGE_SIZE - (s->filesz > at ? s->filesz - at : 0));
			kernel_fpu_begin();
			hvt_sha256(buf, PAGE_SIZE, digest);
			kernel_fpu_end();
			if (memcmp(digest, hvt_manifest_page_hash(m, s->first_page + page),
				   sizeof(digest)))
				err = -EBADMSG;
		}
	}
	kfree(buf);
	return err;
}

static void hvt_free_manifest(struct hvt_binary_glue *b)
{
	if (b->manifest)
		free_pages_exact(b->manifest, PAGE_ALIGN(b->manifest_size));
	b->manifest = NULL;
}

int hvt_ioctl_register(struct file *file, void *arg)
{
	struct hvtrust_register *req = arg;
	struct hvt_binary_glue *b = NULL;
	struct hvtrust_manifest *m;
	struct file *bin_file;
	struct inode *inode;
	unsigned int id;
	long ret;

	if (!capable(CAP_SYS_ADMIN) || READ_ONCE(hvt_sealed))
		return -EPERM;
	if (req->flags || req->reserved || req->id)
		return -EINVAL;
	if (req->manifest_size < HVTRUST_MANIFEST_HEADER_SIZE)
		return -EINVAL;
	if (req->manifest_size > HVT_MANIFEST_MAX_BYTES)
		return -E2BIG;
	if (!hvt_hv_running())
		return -ENODEV;
	m = alloc_pages_exact(PAGE_ALIGN(req->manifest_size), GFP_KERNEL | __GFP_ZERO);
	if (!m)
		return -ENOMEM;
	if (copy_from_user(m, u64_to_user_ptr(req->manifest), req->manifest_size)) {
		ret = -EFAULT;
		goto free_manifest;
	}
	ret = hvt_manifest_check(m, req->manifest_size);
	if (ret)
		goto free_manifest;
	bin_file = fget(req->fd);
	if (!bin_file) {
		ret = -EBADF;
		goto free_manifest;
	}
	inode = file_inode(bin_file);
	if (!S_ISREG(inode->i_mode) || !(bin_file->f_mode & FMODE_READ)) {
		ret = S_ISREG(inode->i_mode) ? -EBADF : -EINVAL;
		goto put_file;
	}
	ret = hvt_verify_file(bin_file, m);
	if (ret)
		goto put_file;

	mutex_lock(&hvt_trust_mutex);
	ret = hvt_sealed ? -EPERM : -ENOSPC;
	for (id = 0; id < HVT_MAX_BINARIES && !hvt_sealed; id++) {
		if (hvt_binaries[id].used &&
		    !memcmp(hvt_binaries[id].info.file_sha256, m->file_sha256,
			    HVTRUST_SHA256_SIZE)) {
			ret = -EEXIST;
			b = NULL;
			break;
		}
		if (!hvt_binaries[id].used && !b)
			b = &hvt_binaries[id];
	}
	if (b) {
		struct hvt_binary_glue fresh = {
			.manifest = m,
			.manifest_size = req->manifest_size,
			.info = {
				.id = b - hvt_binaries,
				.nr_pages = m->nr_pages,
				.file_size = m->file_size,
				.dev = new_encode_dev(inode->i_sb->s_dev),
				.ino = inode->i_ino,
			},
			.first_offset = m->segments[0].offset,
			.nr_segments = m->nr_segments,
		};
		u32 seg;

		for (seg = 0; seg < m->nr_segments; seg++) {
			fresh.seg_vaddr[seg] = m->segments[seg].vaddr;
			fresh.seg_size[seg] = (u64)m->segments[seg].nr_pages * PAGE_SIZE;
		}
		memcpy(fresh.info.file_sha256, m->file_sha256, HVTRUST_SHA256_SIZE);
		ret = hvt_hv_call(HVTRUST_HC_REGISTRY_ADD, __pa(m), req->manifest_size,
				  fresh.info.id);
		if (!ret) {
			fresh.used = true;
			*b = fresh;
			req->id = fresh.info.id;
			m = NULL;
			pr_info("registered binary %u (%llu bytes, %u code pages), inode %llu\n",
				req->id, fresh.info.file_size, fresh.info.nr_pages,
				fresh.info.ino);
		}
	}
	mutex_unlock(&hvt_trust_mutex);
put_file:
	fput(bin_file);
free_manifest:
	if (m)
		free_pages_exact(m, PAGE_ALIGN(req->manifest_size));
	return ret;
}

static void hvt_forget_sessions_of(u32 binary)
{
	struct hvt_session_glue *g;

	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node)
		if (g->binary == binary)
			g->id = 0;
	spin_unlock(&hvt_sessions_lock);
}

int hvt_ioctl_unregister(struct file *file, void *arg)
{
	struct hvtrust_unregister *req = arg;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (req->id >= HVT_MAX_BINARIES)
		return -ENOENT;
	mutex_lock(&hvt_trust_mutex);
	if (hvt_sealed) {
		ret = -EPERM;
	} else if (!hvt_binaries[req->id].used) {
		ret = -ENOENT;
	} else {
		ret = hvt_hv_call(HVTRUST_HC_REGISTRY_REMOVE, req->id, 0, 0);
		if (!ret) {
			hvt_forget_sessions_of(req->id);
			hvt_free_manifest(&hvt_binaries[req->id]);
			hvt_binaries[req->id].used = false;
			pr_info("unregistered binary %u\n", req->id);
		}
	}
	mutex_unlock(&hvt_trust_mutex);
	return ret;
}

static u32 hvt_sessions_of(u32 binary)
{
	struct hvt_session_glue *g;
	u32 n = 0;

	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node)
		if (g->binary == binary && g->id)
			n++;
	spin_unlock(&hvt_sessions_lock);
	return n;
}

int hvt_ioctl_list(struct file *file, void *arg)
{
	struct hvtrust_list *req = arg;
	u8 __user *dst = u64_to_user_ptr(req->binaries);
	size_t esize = req->entry_size;
	u32 room = req->count, n = 0, id;
	int ret = 0;

	if (req->flags || (room && (!esize || esize > PAGE_SIZE)))
		return -EINVAL;
	mutex_lock(&hvt_trust_mutex);
	for (id = 0; id < HVT_MAX_BINARIES; id++) {
		struct hvtrust_binary info;

		if (!hvt_binaries[id].used)
			continue;
		info = hvt_binaries[id].info;
		info.sessions = hvt_sessions_of(id);
		if (n < room && hvt_copy_entry(dst + n * esize, esize, &info, sizeof(info))) {
			ret = -EFAULT;
			break;
		}
		n++;
	}
	req->flags = hvt_sealed ? HVTRUST_LIST_SEALED : 0;
	mutex_unlock(&hvt_trust_mutex);
	req->count = n;
	return ret;
}

int hvt_ioctl_seal(struct file *file, void *arg)
{
	struct hvtrust_seal *req = arg;
	long ret = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (req->flags)
		return -EINVAL;
	mutex_lock(&hvt_trust_mutex);
	if (!hvt_sealed) {
		ret = hvt_hv_call(HVTRUST_HC_SEAL, 0, 0, 0);
		/* Sealed means until reboot: the module stays. */
		if (!ret && try_module_get(THIS_MODULE)) {
			hvt_sealed = true;
			pr_info("registry sealed until reboot\n");
		}
	}
	mutex_unlock(&hvt_trust_mutex);
	return ret;
}

/* --- Sessions ------------------------------------------------------------- */

static void hvt_session_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hvt_session_glue *g = container_of(mn, struct hvt_session_glue, mn);
	u64 id;

	bool released;

	spin_lock(&hvt_sessions_lock);
	id = g->id;
	g->id = 0;
	released = g->released;
	g->released = true;
	spin_unlock(&hvt_sessions_lock);
	/* Before the address space's frames go back to the allocator. */
	if (id)
		hvt_hv_call(HVTRUST_HC_SESSION_END, id, 0, 0);
	if (!released)
		mmu_notifier_put(mn);
}

/* Sessions were attached since load: unloading waits for their notifiers. */
static bool hvt_notifiers_used;

static struct mmu_notifier *hvt_session_alloc(struct mm_struct *mm)
{
	struct hvt_session_glue *g = kzalloc(sizeof(*g), GFP_KERNEL);

	if (!g)
		return ERR_PTR(-ENOMEM);
	WRITE_ONCE(hvt_notifiers_used, true);
	INIT_LIST_HEAD(&g->node);
	return &g->mn;
}

static void hvt_session_free(struct mmu_notifier *mn)
{
	struct hvt_session_glue *g = container_of(mn, struct hvt_session_glue, mn);

	spin_lock(&hvt_sessions_lock);
	list_del(&g->node);
	spin_unlock(&hvt_sessions_lock);
	if (g->page)
		put_page(g->page);
	kfree(g);
}

static const struct mmu_notifier_ops hvt_session_mn_ops = {
	.release = hvt_session_release,
	.alloc_notifier = hvt_session_alloc,
	.free_notifier = hvt_session_free,
};

/* The registered binary this address space runs, and where it is loaded. */
static int hvt_find_binary(struct mm_struct *mm, u32 *id, u64 *bias)
{
	struct vm_area_struct *vma;
	struct vma_iterator vmi;
	int ret = -ENOENT;

	mmap_read_lock(mm);
	vma_iter_init(&vmi, mm, 0);
	for_each_vma(vmi, vma) {
		struct inode *inode;
		u32 i;

		if (!vma->vm_file || !(vma->vm_flags & VM_EXEC))
			continue;
		inode = file_inode(vma->vm_file);
		for (i = 0; i < HVT_MAX_BINARIES; i++) {
			const struct hvt_binary_glue *b = &hvt_binaries[i];

			if (!b->used || b->info.ino != inode->i_ino ||
			    b->info.dev != new_encode_dev(inode->i_sb->s_dev) ||
			    ((u64)vma->vm_pgoff << PAGE_SHIFT) != b->first_offset)
				continue;
			*id = i;
			*bias = vma->vm_start - b->seg_vaddr[0];
			ret = 0;
			goto out;
		}
	}
out:
	mmap_read_unlock(mm);
	return ret;
}

/* The session page's file while the attach ioctl maps it (under hvt_attach_mutex). */
static DEFINE_MUTEX(hvt_attach_mutex);
static struct file *hvt_attach_backing;
static struct task_struct *hvt_attach_task;

/*
 * The mapping is handed over to a shmem file of its own, as for shared
 * anonymous memory: it then holds neither the device nor the module, so
 * the module can unload under a program that keeps its session page.
 */
int hvt_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct file *backing = READ_ONCE(hvt_attach_backing);

	/* Only the attach ioctl maps a session page, read and execute only. */
	if (!backing || READ_ONCE(hvt_attach_task) != current || vma->vm_pgoff ||
	    vma->vm_end - vma->vm_start != PAGE_SIZE ||
	    (vma->vm_flags & VM_WRITE))
		return -EINVAL;
#ifdef HVT_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, VM_MAYWRITE);
	vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP;
#endif
	vma_set_file(vma, backing);
	return backing->f_op->mmap(backing, vma);
}

/*
 * A one-page shmem file holding the session page, pinned: unevictable,
 * and the reference taken here keeps reclaim and migration from moving it
 * to another frame behind the hypervisor's back.
 */
static struct file *hvt_session_file(struct page **pagep)
{
	struct file *backing;
	struct page *page;

	backing = shmem_file_setup("hvtrust-session", PAGE_SIZE, VM_NORESERVE);
	if (IS_ERR(backing))
		return backing;
	mapping_set_unevictable(backing->f_mapping);
	page = shmem_read_mapping_page(backing->f_mapping, 0);
	if (IS_ERR(page)) {
		fput(backing);
		return ERR_CAST(page);
	}
	memcpy(page_address(page) + HVTRUST_SESSION_STUB_OFFSET, HVT_CALL_STUB,
	       sizeof(HVT_CALL_STUB) - 1);
	/* A clean shmem page reads back as zeros once dropped. */
	set_page_dirty(page);
	*pagep = page;
	return backing;
}

static long hvt_prepare_session(struct hvt_session_glue *g, unsigned long addr, u64 bias)
{
	struct hvt_session_request *req = kzalloc(sizeof(*req), GFP_KERNEL);
	long ret;

	if (!req)
		return -ENOMEM;
	req->cr3 = __pa(current->mm->pgd);
	req->page_pa = page_to_phys(g->page);
	req->page_va = addr;
	req->bias = bias;
	req->binary = g->binary;
	ret = hvt_hv_call(HVTRUST_HC_SESSION_PREPARE, __pa(req), 0, 0);
	kfree(req);
	return ret;
}

static void hvt_prefault_code(u32 id, u64 bias)
{
	const struct hvt_binary_glue *b = &hvt_binaries[id];
	u32 seg;

	/* The hypervisor hashes only mapped pages: map the code now. */
	for (seg = 0; seg < b->nr_segments; seg++)
		fault_in_readable(u64_to_user_ptr(bias + b->seg_vaddr[seg]),
				  b->seg_size[seg]);
}

/* The hypervisor no longer knows the session: closed, or its binary went. */
static bool hvt_session_over(const struct hvt_session_glue *g)
{
	u64 id = READ_ONCE(g->id);

	return !id || hvt_hv_call(HVTRUST_HC_SESSION_INFO, id, 0, 0) == -ENOENT;
}

int hvt_ioctl_attach(struct file *file, void *arg)
{
	struct hvtrust_attach *req = arg;
	struct mm_struct *mm = current->mm;
	struct hvt_session_glue *g;
	struct mmu_notifier *mn;
	struct file *backing;
	unsigned long addr;
	struct page *page;
	u64 bias;
	u32 id;
	long ret;

	if (req->flags || req->reserved || req->session_page || req->binary_id)
		return -EINVAL;
	if (!hvt_hv_running() || !mm)
		return -ENODEV;
	mutex_lock(&hvt_trust_mutex);
	ret = hvt_find_binary(mm, &id, &bias);
	mutex_unlock(&hvt_trust_mutex);
	if (ret)
		return ret;
	hvt_prefault_code(id, bias);

	mn = mmu_notifier_get(&hvt_session_mn_ops, mm);
	if (IS_ERR(mn))
		return PTR_ERR(mn);
	g = container_of(mn, struct hvt_session_glue, mn);
	mutex_lock(&hvt_attach_mutex);
	if (g->page && hvt_session_over(g)) {
		/* Closed or unregistered: this address space may start over. */
		spin_lock(&hvt_sessions_lock);
		list_del_init(&g->node);
		g->id = 0;
		spin_unlock(&hvt_sessions_lock);
		put_page(g->page);
		g->page = NULL;
	}
	if (g->page) {
		ret = -EBUSY;
		goto unlock;
	}
	backing = hvt_session_file(&page);
	if (IS_ERR(backing)) {
		ret = PTR_ERR(backing);
		goto unlock;
	}
	hvt_attach_backing = backing;
	hvt_attach_task = current;
	addr = vm_mmap(file, 0, PAGE_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, 0);
	hvt_attach_backing = NULL;
	hvt_attach_task = NULL;
	/* The mapping holds the file now, if it was made. */
	fput(backing);
	if (IS_ERR_VALUE(addr)) {
		put_page(page);
		ret = addr;
		goto unlock;
	}
	/* The hypervisor finds the page through the page tables: map it now. */
	if (fault_in_readable((const char __user *)addr, PAGE_SIZE)) {
		vm_munmap(addr, PAGE_SIZE);
		put_page(page);
		ret = -EFAULT;
		goto unlock;
	}
	g->page = page;
	g->binary = id;
	g->pid = task_tgid_nr(current);
	get_task_comm(g->comm, current);
	mutex_lock(&hvt_trust_mutex);
	ret = hvt_binaries[id].used ? hvt_prepare_session(g, addr, bias) : -ENOENT;
	mutex_unlock(&hvt_trust_mutex);
	if (ret < 0) {
		vm_munmap(addr, PAGE_SIZE);
		goto unlock;
	}
	spin_lock(&hvt_sessions_lock);
	g->id = ret;
	list_add(&g->node, &hvt_sessions);
	spin_unlock(&hvt_sessions_lock);
	req->session_page = addr;
	req->binary_id = id;
	mutex_unlock(&hvt_attach_mutex);
	return 0;

unlock:
	mutex_unlock(&hvt_attach_mutex);
	/* Drops this call's reference; a failed first attach frees everything. */
	mmu_notifier_put(mn);
	return ret;
}

/**
 * hvt_trust_end_sessions() - end every session before the hypervisor stops
 *
 * Called on unload while every CPU is still virtualized. Programs keep
 * their session pages: each gets a stub that answers -ENODEV without a
 * VMCALL, which would raise #UD once VMX is off. The hypervisor unprotects
 * the page when it ends the session, so the kernel's store lands; it is
 * one aligned 8-byte store, and the exits that take every CPU out of VMX
 * serialize them before any of them can run the new stub.
 */
void hvt_trust_end_sessions(void)
{
	struct hvt_session_glue *g;
	unsigned int ended = 0;
	u64 gone;

	BUILD_BUG_ON(sizeof(HVT_GONE_STUB) - 1 != sizeof(gone));
	BUILD_BUG_ON(HVTRUST_SESSION_STUB_OFFSET % sizeof(gone));
	memcpy(&gone, HVT_GONE_STUB, sizeof(gone));
	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node) {
		if (!g->page)
			continue;
		if (g->id && !hvt_hv_call(HVTRUST_HC_SESSION_END, g->id, 0, 0))
			ended++;
		g->id = 0;
		WRITE_ONCE(*(u64 *)(page_address(g->page) + HVTRUST_SESSION_STUB_OFFSET), gone);
	}
	spin_unlock(&hvt_sessions_lock);
	if (ended)
		pr_info("unloading: ended %u sessions; their stubs now return -ENODEV\n", ended);
}

/**
 * hvt_trust_cleanup() - forget the registry after the hypervisor stopped
 *
 * Called once every CPU was given back: the manifests are ordinary memory
 * again, and hvt_trust_end_sessions() ended every session. Their address
 * spaces may live on: their notifiers must not outlive the module's code.
 */
void hvt_trust_cleanup(void)
{
	struct hvt_session_glue *g;
	unsigned int id;

restart:
	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node) {
		if (!g->released) {
			g->released = true;
			g->id = 0;
			spin_unlock(&hvt_sessions_lock);
			mmu_notifier_put(&g->mn);
			goto restart;
		}
	}
	spin_unlock(&hvt_sessions_lock);
	/* An SRCU grace period: costly, and needless when nothing attached. */
	if (READ_ONCE(hvt_notifiers_used))
		mmu_notifier_synchronize();
	hvt_notifiers_used = false;
	for (id = 0; id < HVT_MAX_BINARIES; id++) {
		hvt_free_manifest(&hvt_binaries[id]);
		hvt_binaries[id].used = false;
	}
}

#ifdef HVT_TEST_HOOKS
/*
 * Test builds only: debugfs hvtrust/silent_write takes "GPA VALUE" in hex;
 * hvtrust/root_state lists the allocations VMX root keeps its state in.
 */
static struct dentry *hvt_test_dir;

static int hvt_test_root_state_show(struct seq_file *m, void *unused)
{
	hvt_hv_show_root_state(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvt_test_root_state);

static ssize_t hvt_test_silent_write(struct file *file, const char __user *ubuf,
				     size_t len, loff_t *pos)
{
	char text[64];
	u64 gpa, value;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!len || len >= sizeof(text))
		return -EINVAL;
	if (copy_from_user(text, ubuf, len))
		return -EFAULT;
	text[len] = '\0';
	if (sscanf(text, "%llx %llx", &gpa, &value) != 2)
		return -EINVAL;
	ret = hvt_hv_call(HVT_HC_TEST_SILENT_WRITE, gpa, value, 0);
	return ret ? ret : len;
}

static const struct file_operations hvt_test_silent_write_fops = {
	.owner = THIS_MODULE,
	.write = hvt_test_silent_write,
};

void hvt_test_hooks_init(void)
{
	hvt_test_dir = debugfs_create_dir("hvtrust", NULL);
	debugfs_create_file("silent_write", 0200, hvt_test_dir, NULL,
			    &hvt_test_silent_write_fops);
	debugfs_create_file("root_state", 0400, hvt_test_dir, NULL, &hvt_test_root_state_fops);
	pr_warn("test build: debugfs hvtrust/silent_write bypasses the write trap\n");
}

void hvt_test_hooks_exit(void)
{
	debugfs_remove(hvt_test_dir);
}
#endif
