// SPDX-License-Identifier: GPL-2.0
/* The registry as Linux keeps it: binaries checked against their manifests, and sealing. */
/* Context: process context (ioctls, unload). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/io.h>

#include "../token/manifest.h"
#include "../token/sha256.h"
#include "../uapi/hvtrust.h"
#include "../vmx/service.h"
#include "binaries.h"
#include "hvcall.h"
#include "session_list.h"
#include "user_copy.h"

#define HVT_MAX_FILE_SIZE	(256ULL << 20)

/**
 * struct hvt_binary_glue - what the module keeps of a registered binary
 * @used: the slot holds a binary
 * @library: a shared object its programs (@info.programs) may map
 * @path: where the file was when it was registered (d_path), or NULL
 * @manifest: the manifest handed to the hypervisor (hidden from Linux now)
 * @manifest_size: its size
 * @info: what LIST reports
 * @nr_segments: its executable segments
 * @seg_vaddr: where each is mapped, relative to the load bias
 * @seg_offset: the file offset of each
 * @seg_size: bytes of each
 */
struct hvt_binary_glue {
	bool used;
	bool library;
	char *path;
	void *manifest;
	size_t manifest_size;
	struct hvtrust_binary info;
	u32 nr_segments;
	u64 seg_vaddr[HVTRUST_MANIFEST_MAX_SEGMENTS];
	u64 seg_offset[HVTRUST_MANIFEST_MAX_SEGMENTS];
	u64 seg_size[HVTRUST_MANIFEST_MAX_SEGMENTS];
};

static DEFINE_MUTEX(hvt_binaries_mutex);
static struct hvt_binary_glue hvt_binaries[HVT_MAX_BINARIES];
static bool hvt_sealed;

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
	kfree(b->path);
	b->path = NULL;
}

/* @file's path now, in @buf (PATH_MAX bytes), or NULL. */
static const char *hvt_file_path(const struct file *file, char *buf)
{
	const char *path = d_path(&file->f_path, buf, PATH_MAX);

	return IS_ERR(path) ? NULL : path;
}

/* Where @file is: a library is known again by it after an upgrade replaced it. */
static char *hvt_registered_path(const struct file *file)
{
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL), *copy;
	const char *path = buf ? hvt_file_path(file, buf) : NULL;

	copy = path ? kstrdup(path, GFP_KERNEL) : NULL;
	kfree(buf);
	return copy;
}

/* Under hvt_binaries_mutex: 0, or why @req cannot be registered now. */
static int hvt_register_check_program(const struct hvtrust_register *req)
{
	const struct hvt_binary_glue *program;

	if (hvt_sealed)
		return -EPERM;
	if (!(req->flags & HVTRUST_REGISTER_LIBRARY))
		return 0;
	if (req->program >= HVT_MAX_BINARIES)
		return -ENOENT;
	program = &hvt_binaries[req->program];
	return program->used && !program->library ? 0 : -ENOENT;
}

/* The file is registered already: as a library, it now serves one more program. */
static int hvt_register_share_library(struct hvtrust_register *req,
				      struct hvt_binary_glue *registered)
{
	u32 bit = BIT(req->program);

	if (!(req->flags & HVTRUST_REGISTER_LIBRARY) || !registered->library ||
	    (registered->info.programs & bit))
		return -EEXIST;
	registered->info.programs |= bit;
	req->id = registered->info.id;
	pr_info("library %u now serves binary %u too\n", req->id, req->program);
	return 0;
}

int hvt_binaries_ioctl_register(struct file *file, void *arg)
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
	if ((req->flags & ~HVTRUST_REGISTER_LIBRARY) || req->id ||
	    (req->program && !(req->flags & HVTRUST_REGISTER_LIBRARY)))
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

	mutex_lock(&hvt_binaries_mutex);
	ret = hvt_register_check_program(req);
	for (id = 0; id < HVT_MAX_BINARIES && !ret; id++) {
		struct hvt_binary_glue *other = &hvt_binaries[id];

		if (other->used &&
		    !memcmp(other->info.file_sha256, m->file_sha256, HVTRUST_SHA256_SIZE)) {
			ret = hvt_register_share_library(req, other);
			b = NULL;
			goto unlock;
		}
		if (!other->used && !b)
			b = other;
	}
	if (!ret && !b)
		ret = -ENOSPC;
	if (b && !ret) {
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
			.nr_segments = m->nr_segments,
		};
		u32 seg;

		for (seg = 0; seg < m->nr_segments; seg++) {
			fresh.seg_vaddr[seg] = m->segments[seg].vaddr;
			fresh.seg_offset[seg] = m->segments[seg].offset;
			fresh.seg_size[seg] = (u64)m->segments[seg].nr_pages * PAGE_SIZE;
		}
		memcpy(fresh.info.file_sha256, m->file_sha256, HVTRUST_SHA256_SIZE);
		if (req->flags & HVTRUST_REGISTER_LIBRARY) {
			fresh.library = true;
			fresh.info.programs = BIT(req->program);
		}
		fresh.path = hvt_registered_path(bin_file);
		ret = hvt_hv_call(HVTRUST_HC_REGISTRY_ADD, __pa(m), req->manifest_size,
				  fresh.info.id);
		if (ret)
			kfree(fresh.path);
		if (!ret) {
			fresh.used = true;
			*b = fresh;
			req->id = fresh.info.id;
			m = NULL;
			pr_info("registered %s %u (%llu bytes, %u code pages), inode %llu\n",
				fresh.library ? "library" : "binary", req->id,
				fresh.info.file_size, fresh.info.nr_pages, fresh.info.ino);
		}
	}
unlock:
	mutex_unlock(&hvt_binaries_mutex);
put_file:
	fput(bin_file);
free_manifest:
	if (m)
		free_pages_exact(m, PAGE_ALIGN(req->manifest_size));
	return ret;
}

/* Under hvt_binaries_mutex. */
static int hvt_unregister(u32 id)
{
	struct hvt_binary_glue *b = &hvt_binaries[id];
	int ret = hvt_hv_call(HVTRUST_HC_REGISTRY_REMOVE, id, 0, 0);

	if (ret)
		return ret;
	hvt_sessions_forget_binary(id);
	hvt_free_manifest(b);
	b->used = false;
	pr_info("unregistered %s %u\n", b->library ? "library" : "binary", id);
	return 0;
}

/* Under hvt_binaries_mutex: @program is gone, and so are the libraries only it used. */
static void hvt_unregister_libraries_of(u32 program)
{
	u32 id;

	for (id = 0; id < HVT_MAX_BINARIES; id++) {
		struct hvt_binary_glue *lib = &hvt_binaries[id];

		if (!lib->used || !lib->library || !(lib->info.programs & BIT(program)))
			continue;
		lib->info.programs &= ~BIT(program);
		if (!lib->info.programs && hvt_unregister(id))
			pr_err("library %u of binary %u stays registered\n", id, program);
	}
}

int hvt_binaries_ioctl_unregister(struct file *file, void *arg)
{
	struct hvtrust_unregister *req = arg;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (req->id >= HVT_MAX_BINARIES)
		return -ENOENT;
	mutex_lock(&hvt_binaries_mutex);
	if (hvt_sealed) {
		ret = -EPERM;
	} else if (!hvt_binaries[req->id].used) {
		ret = -ENOENT;
	} else {
		ret = hvt_unregister(req->id);
		if (!ret && !hvt_binaries[req->id].library)
			hvt_unregister_libraries_of(req->id);
	}
	mutex_unlock(&hvt_binaries_mutex);
	return ret;
}

int hvt_binaries_ioctl_list(struct file *file, void *arg)
{
	struct hvtrust_list *req = arg;
	u8 __user *dst = u64_to_user_ptr(req->binaries);
	size_t esize = req->entry_size;
	u32 room = req->count, n = 0, id;
	int ret = 0;

	if (req->flags || (room && (!esize || esize > PAGE_SIZE)))
		return -EINVAL;
	mutex_lock(&hvt_binaries_mutex);
	for (id = 0; id < HVT_MAX_BINARIES; id++) {
		struct hvtrust_binary info;

		if (!hvt_binaries[id].used)
			continue;
		info = hvt_binaries[id].info;
		info.sessions = hvt_sessions_of_binary(id);
		if (n < room && hvt_copy_entry(dst + n * esize, esize, &info, sizeof(info))) {
			ret = -EFAULT;
			break;
		}
		n++;
	}
	req->flags = hvt_sealed ? HVTRUST_LIST_SEALED : 0;
	mutex_unlock(&hvt_binaries_mutex);
	req->count = n;
	return ret;
}

int hvt_binaries_ioctl_seal(struct file *file, void *arg)
{
	struct hvtrust_seal *req = arg;
	long ret = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (req->flags)
		return -EINVAL;
	mutex_lock(&hvt_binaries_mutex);
	if (!hvt_sealed) {
		ret = hvt_hv_call(HVTRUST_HC_SEAL, 0, 0, 0);
		/* Sealed means until reboot: the module stays. */
		if (!ret && try_module_get(THIS_MODULE)) {
			hvt_sealed = true;
			pr_info("registry sealed until reboot\n");
		}
	}
	mutex_unlock(&hvt_binaries_mutex);
	return ret;
}

static bool hvt_is_binary_file(const struct hvt_binary_glue *b, const struct file *file)
{
	const struct inode *inode = file_inode(file);

	return b->used && b->info.ino == inode->i_ino &&
	       b->info.dev == new_encode_dev(inode->i_sb->s_dev);
}

/* The registered binary @mm was exec'd from, or NULL. Under hvt_binaries_mutex. */
static const struct hvt_binary_glue *hvt_binary_of_exe(struct mm_struct *mm)
{
	const struct hvt_binary_glue *found = NULL;
	struct file *exe;
	u32 i;

	/*
	 * The file cannot go while this task, which runs it, waits in an
	 * ioctl; RCU covers a concurrent PR_SET_MM_EXE_FILE.
	 */
	rcu_read_lock();
	exe = rcu_dereference(mm->exe_file);
	/* The interpreter run by hand (ld.so PROGRAM) is not the program. */
	for (i = 0; exe && i < HVT_MAX_BINARIES && !found; i++)
		if (!hvt_binaries[i].library && hvt_is_binary_file(&hvt_binaries[i], exe))
			found = &hvt_binaries[i];
	rcu_read_unlock();
	return found;
}

/* @vma lies in a code segment of @b at @bias, at the file offset its loader maps there. */
static bool hvt_maps_code_at(const struct hvt_binary_glue *b, u64 bias,
			     const struct vm_area_struct *vma)
{
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u32 seg;

	for (seg = 0; seg < b->nr_segments; seg++) {
		u64 start = bias + b->seg_vaddr[seg];

		if (vma->vm_start >= start && vma->vm_end <= start + b->seg_size[seg] &&
		    vma->vm_start - start == offset - b->seg_offset[seg])
			return true;
	}
	return false;
}

/* @vma maps part of a code segment of @b, where and as its ELF loader puts it. */
static bool hvt_maps_binary_code(const struct hvt_binary_glue *b, u64 bias,
				 const struct vm_area_struct *vma)
{
	return vma->vm_file && hvt_is_binary_file(b, vma->vm_file) &&
	       hvt_maps_code_at(b, bias, vma);
}

/*
 * A library is known by its file or by its path: after an upgrade replaced
 * the file, root finds the code differs (-EBADMSG, an audit naming it).
 */
static bool hvt_is_library_file(const struct hvt_binary_glue *lib, const struct file *file,
				char *buf)
{
	const char *path;

	if (hvt_is_binary_file(lib, file))
		return true;
	path = lib->path && buf ? hvt_file_path(file, buf) : NULL;
	return path && !strcmp(path, lib->path);
}

/*
 * Under hvt_binaries_mutex: the library of @program that @vma maps as a
 * loader puts it, and its bias there (from the segment the file offset
 * falls in), or NULL.
 */
static const struct hvt_binary_glue *hvt_library_of(u32 program,
						    const struct vm_area_struct *vma,
						    u64 *bias, char *buf)
{
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u32 id, seg;

	for (id = 0; vma->vm_file && id < HVT_MAX_BINARIES; id++) {
		const struct hvt_binary_glue *lib = &hvt_binaries[id];

		if (!lib->used || !lib->library || !(lib->info.programs & BIT(program)) ||
		    !hvt_is_library_file(lib, vma->vm_file, buf))
			continue;
		for (seg = 0; seg < lib->nr_segments; seg++) {
			if (offset < lib->seg_offset[seg] ||
			    offset >= lib->seg_offset[seg] + lib->seg_size[seg])
				continue;
			*bias = vma->vm_start - (offset - lib->seg_offset[seg]) -
				lib->seg_vaddr[seg];
			if (hvt_maps_code_at(lib, *bias, vma))
				return lib;
		}
	}
	return NULL;
}

/* One load of each library: a second place for the same one is not the loader's. */
static bool hvt_images_add(struct hvt_images *images, u32 id, u64 bias)
{
	u32 i;

	for (i = 0; i < images->nr_libs; i++)
		if (images->libs[i].binary == id)
			return images->libs[i].bias == bias;
	if (images->nr_libs == HVT_SESSION_MAX_LIBS)
		return false;
	images->libs[images->nr_libs++] = (struct hvt_session_image){ .bias = bias, .binary = id };
	return true;
}

/**
 * hvt_binaries_find() - the registered code an address space runs, and only it
 * @mm: the address space
 * @also_allowed: executable mappings the caller accounts for itself (vDSO,
 *                session pages), besides registered code
 * @images: out: its program and the program's libraries it maps, and where
 * @outside: on -EACCES, the first executable address that is neither
 *
 * The process must have been exec'd from a registered program (refuses,
 * cheaply, one that maps the registered file beside its own code), and
 * every executable mapping must be that program's code at its place, or
 * the code of a library registered for it, each library at one place: no
 * preloaded library, no page made executable, no code of another file.
 *
 * Return: 0; -ENOENT when @mm does not run a registered program; -EACCES
 * when other executable memory is mapped (or more than
 * HVT_SESSION_MAX_LIBS libraries).
 */
int hvt_binaries_find(struct mm_struct *mm,
		      bool (*also_allowed)(const struct vm_area_struct *vma),
		      struct hvt_images *images, u64 *outside)
{
	const struct hvt_binary_glue *b, *lib;
	struct vm_area_struct *vma;
	struct vma_iterator vmi;
	bool have_bias = false;
	u64 *bias = &images->bias;
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	u64 lib_bias;
	int ret = 0;

	mutex_lock(&hvt_binaries_mutex);
	mmap_read_lock(mm);
	b = hvt_binary_of_exe(mm);
	if (!b) {
		ret = -ENOENT;
		goto out;
	}
	vma_iter_init(&vmi, mm, 0);
	for_each_vma(vmi, vma) {
		if (vma->vm_file && hvt_is_binary_file(b, vma->vm_file) &&
		    ((u64)vma->vm_pgoff << PAGE_SHIFT) == b->seg_offset[0] &&
		    (vma->vm_flags & VM_EXEC)) {
			*bias = vma->vm_start - b->seg_vaddr[0];
			have_bias = true;
			break;
		}
	}
	if (!have_bias) {
		ret = -ENOENT;
		goto out;
	}
	images->binary = b - hvt_binaries;
	images->nr_libs = 0;
	vma_iter_init(&vmi, mm, 0);
	for_each_vma(vmi, vma) {
		if (!(vma->vm_flags & VM_EXEC) || hvt_maps_binary_code(b, *bias, vma) ||
		    also_allowed(vma))
			continue;
		lib = hvt_library_of(images->binary, vma, &lib_bias, buf);
		if (lib && hvt_images_add(images, lib - hvt_binaries, lib_bias))
			continue;
		*outside = vma->vm_start;
		ret = -EACCES;
		goto out;
	}
out:
	mmap_read_unlock(mm);
	mutex_unlock(&hvt_binaries_mutex);
	kfree(buf);
	return ret;
}

static bool hvt_image_holds(const struct hvt_binary_glue *b, u64 bias, u64 gva)
{
	u32 seg;

	for (seg = 0; b->used && seg < b->nr_segments; seg++)
		if (gva - bias - b->seg_vaddr[seg] < b->seg_size[seg])
			return true;
	return false;
}

/**
 * hvt_binaries_name_of() - the registered file whose code a process has at an address
 * @images: what the process mapped at attach
 * @gva: the address
 * @out: the file's path as registered
 * @len: room at @out
 * @id: its registry id
 *
 * Return: whether one of @images holds @gva (and has a path).
 */
bool hvt_binaries_name_of(const struct hvt_images *images, u64 gva, char *out, size_t len,
			  u32 *id)
{
	const struct hvt_binary_glue *found = NULL;
	u32 i;

	mutex_lock(&hvt_binaries_mutex);
	if (hvt_image_holds(&hvt_binaries[images->binary], images->bias, gva))
		found = &hvt_binaries[images->binary];
	for (i = 0; i < images->nr_libs && !found; i++) {
		const struct hvt_session_image *lib = &images->libs[i];

		if (hvt_image_holds(&hvt_binaries[lib->binary], lib->bias, gva))
			found = &hvt_binaries[lib->binary];
	}
	if (found && found->path) {
		strscpy(out, found->path, len);
		*id = found - hvt_binaries;
	}
	mutex_unlock(&hvt_binaries_mutex);
	return found && found->path;
}

static void hvt_prefault_one(u32 id, u64 bias)
{
	const struct hvt_binary_glue *b = &hvt_binaries[id];
	u32 seg;

	for (seg = 0; seg < b->nr_segments; seg++)
		fault_in_readable(u64_to_user_ptr(bias + b->seg_vaddr[seg]),
				  b->seg_size[seg]);
}

/* The hypervisor hashes only mapped pages: map the program's and libraries' code now. */
void hvt_binaries_prefault(const struct hvt_images *images)
{
	u32 i;

	hvt_prefault_one(images->binary, images->bias);
	for (i = 0; i < images->nr_libs; i++)
		hvt_prefault_one(images->libs[i].binary, images->libs[i].bias);
}

/**
 * hvt_binaries_call_if_used() - a hypercall about a binary, while it stays registered
 * @id: the registry id
 * @call: made under the registry's mutex, so that @id cannot be unregistered meanwhile
 * @arg: passed to @call
 *
 * Return: what @call returned, or -ENOENT when @id is not registered.
 */
long hvt_binaries_call_if_used(u32 id, long (*call)(void *arg), void *arg)
{
	long ret;

	mutex_lock(&hvt_binaries_mutex);
	ret = hvt_binaries[id].used ? call(arg) : -ENOENT;
	mutex_unlock(&hvt_binaries_mutex);
	return ret;
}

/* Sealed until reboot: no CPU may leave the hypervisor any more (VMX root refuses). */
bool hvt_binaries_sealed(void)
{
	return READ_ONCE(hvt_sealed);
}

/* After the hypervisor stopped: the manifests are ordinary memory again. */
void hvt_binaries_cleanup(void)
{
	unsigned int id;

	for (id = 0; id < HVT_MAX_BINARIES; id++) {
		hvt_free_manifest(&hvt_binaries[id]);
		hvt_binaries[id].used = false;
	}
}
