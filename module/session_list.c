// SPDX-License-Identifier: GPL-2.0
/* The sessions as Linux tracks them: which process, which page, which notifier. */
/* Context: process context (ioctls, mmu notifier release, the log drain, unload). */
#define pr_fmt(fmt) "hvtrust: " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "../uapi/hvtrust.h"
#include "hvcall.h"
#include "session_list.h"

/* mov $-ENODEV, %rax; ret: what the stub becomes when the module unloads */
#define HVT_GONE_STUB		"\x48\xc7\xc0\xed\xff\xff\xff\xc3"

static LIST_HEAD(hvt_sessions);
static DEFINE_SPINLOCK(hvt_sessions_lock);

/*
 * Who held the sessions that ended last: VMX root's audit records reach
 * the module a drain period later, often after the process has gone.
 */
#define HVT_ENDED_OWNERS	64
static struct hvt_ended_owner {
	u64 id;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct hvt_images images;
} hvt_ended_owners[HVT_ENDED_OWNERS];
static unsigned int hvt_ended_next;

/* Under hvt_sessions_lock. */
static void hvt_remember_owner(const struct hvt_session_glue *g)
{
	struct hvt_ended_owner *o;

	if (!g->issued_id)
		return;
	o = &hvt_ended_owners[hvt_ended_next++ % HVT_ENDED_OWNERS];
	o->id = g->issued_id;
	o->pid = g->pid;
	memcpy(o->comm, g->comm, TASK_COMM_LEN);
	o->images = g->images;
}

/* Sessions were attached since load: unloading waits for their notifiers. */
static bool hvt_notifiers_used;

static void hvt_session_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hvt_session_glue *g = container_of(mn, struct hvt_session_glue, mn);
	bool released;
	u64 id;

	spin_lock(&hvt_sessions_lock);
	id = g->id;
	WRITE_ONCE(g->id, 0);
	released = g->released;
	g->released = true;
	spin_unlock(&hvt_sessions_lock);
	/* Before the address space's frames go back to the allocator. */
	if (id)
		hvt_hv_call(HVTRUST_HC_SESSION_END, id, 0, 0);
	if (!released)
		mmu_notifier_put(mn);
}

/*
 * Linux is about to change or remove mappings in a session's address space
 * (reclaim, migration, compaction, copy on write, munmap): VMX root hears
 * it first, so that a protected page it then finds in another frame is
 * Linux's move and not an attack (a move nobody announced revokes). Never
 * blocks: the call is one VMCALL on this CPU.
 */
static int hvt_session_invalidate(struct mmu_notifier *mn,
				  const struct mmu_notifier_range *range)
{
	struct hvt_session_glue *g = container_of(mn, struct hvt_session_glue, mn);
	u64 id = READ_ONCE(g->id);

	if (id)
		hvt_hv_call(HVTRUST_HC_SESSION_MOVING, id, range->start, range->end);
	return 0;
}

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
	hvt_remember_owner(g);
	spin_unlock(&hvt_sessions_lock);
	if (g->page)
		put_page(g->page);
	kfree(g);
}

static const struct mmu_notifier_ops hvt_session_mn_ops = {
	.release = hvt_session_release,
	.invalidate_range_start = hvt_session_invalidate,
	.alloc_notifier = hvt_session_alloc,
	.free_notifier = hvt_session_free,
};

/* The address space's one entry, made on first use; hvt_session_list_put() drops it. */
struct hvt_session_glue *hvt_session_list_get(struct mm_struct *mm)
{
	struct mmu_notifier *mn = mmu_notifier_get(&hvt_session_mn_ops, mm);

	if (IS_ERR(mn))
		return ERR_CAST(mn);
	return container_of(mn, struct hvt_session_glue, mn);
}

/* Drops one reference; a failed first attach frees everything. */
void hvt_session_list_put(struct hvt_session_glue *g)
{
	mmu_notifier_put(&g->mn);
}

/* The hypervisor issued session @id to @g, which is filled in. */
void hvt_session_list_add(struct hvt_session_glue *g, u64 id)
{
	spin_lock(&hvt_sessions_lock);
	WRITE_ONCE(g->id, id);
	g->issued_id = id;
	list_add(&g->node, &hvt_sessions);
	spin_unlock(&hvt_sessions_lock);
}

/* Closed or unregistered: the address space may start over. */
void hvt_session_list_reset(struct hvt_session_glue *g)
{
	spin_lock(&hvt_sessions_lock);
	list_del_init(&g->node);
	hvt_remember_owner(g);
	WRITE_ONCE(g->id, 0);
	g->issued_id = 0;
	spin_unlock(&hvt_sessions_lock);
	put_page(g->page);
	g->page = NULL;
}

/*
 * Who holds or held session @id, for the audit log: pid 0 and no name when
 * nobody the module still remembers. Session ids are never reused.
 */
void hvt_session_owner(u64 id, pid_t *pid, char *comm)
{
	struct hvt_session_glue *g;
	unsigned int i;

	*pid = 0;
	comm[0] = 0;
	if (!id)
		return;
	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node) {
		if (g->issued_id == id) {
			*pid = g->pid;
			memcpy(comm, g->comm, TASK_COMM_LEN);
			goto out;
		}
	}
	for (i = 0; i < HVT_ENDED_OWNERS; i++) {
		if (hvt_ended_owners[i].id == id) {
			*pid = hvt_ended_owners[i].pid;
			memcpy(comm, hvt_ended_owners[i].comm, TASK_COMM_LEN);
			break;
		}
	}
out:
	spin_unlock(&hvt_sessions_lock);
}

/*
 * What a session's process mapped at attach, also shortly after it ended
 * (records reach the module a drain period later); false when unknown.
 */
bool hvt_session_images(u64 id, struct hvt_images *images)
{
	struct hvt_session_glue *g;
	bool found = false;
	unsigned int i;

	if (!id)
		return false;
	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node) {
		if (g->issued_id == id) {
			*images = g->images;
			found = true;
			break;
		}
	}
	for (i = 0; i < HVT_ENDED_OWNERS && !found; i++) {
		if (hvt_ended_owners[i].id == id) {
			*images = hvt_ended_owners[i].images;
			found = true;
		}
	}
	spin_unlock(&hvt_sessions_lock);
	return found;
}

/**
 * hvt_sessions_id_of_mm() - the session of an address space, for the guard
 * @mm: compared only, never dereferenced; NULL for a kernel thread
 *
 * Context: any, but not under hvt_sessions_lock.
 * Return: the hypervisor's session id, 0 for none.
 */
u64 hvt_sessions_id_of_mm(const struct mm_struct *mm)
{
	struct hvt_session_glue *g;
	u64 id = 0;

	/* Every mmap in the system asks: no lock while nobody attached. */
	if (!mm || list_empty_careful(&hvt_sessions))
		return 0;
	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node) {
		if (g->mn.mm == mm && g->id) {
			id = g->id;
			break;
		}
	}
	spin_unlock(&hvt_sessions_lock);
	return id;
}

/* The hypervisor ended them with their binary. */
void hvt_sessions_forget_binary(u32 binary)
{
	struct hvt_session_glue *g;

	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node)
		if (g->binary == binary || (g->libraries & BIT(binary)))
			WRITE_ONCE(g->id, 0);
	spin_unlock(&hvt_sessions_lock);
}

u32 hvt_sessions_of_binary(u32 binary)
{
	struct hvt_session_glue *g;
	u32 n = 0;

	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node)
		if ((g->binary == binary || (g->libraries & BIT(binary))) && g->id)
			n++;
	spin_unlock(&hvt_sessions_lock);
	return n;
}

/**
 * hvt_sessions_end_all() - end every session before the hypervisor stops
 *
 * Called on unload while every CPU is still virtualized. Programs keep
 * their session pages: each gets a stub that answers -ENODEV without a
 * VMCALL, which would raise #UD once VMX is off. The hypervisor unprotects
 * the page when it ends the session, so the kernel's store lands; it is
 * one aligned 8-byte store, and the exits that take every CPU out of VMX
 * serialize them before any of them can run the new stub.
 */
void hvt_sessions_end_all(void)
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
		WRITE_ONCE(g->id, 0);
		WRITE_ONCE(*(u64 *)(page_address(g->page) + HVTRUST_SESSION_STUB_OFFSET), gone);
	}
	spin_unlock(&hvt_sessions_lock);
	if (ended)
		pr_info("unloading: ended %u sessions; their stubs now return -ENODEV\n", ended);
}

/**
 * hvt_sessions_release_all() - drop every notifier after the hypervisor stopped
 *
 * hvt_sessions_end_all() ended every session. Their address spaces may
 * live on: their notifiers must not outlive the module's code.
 */
void hvt_sessions_release_all(void)
{
	struct hvt_session_glue *g;

restart:
	spin_lock(&hvt_sessions_lock);
	list_for_each_entry(g, &hvt_sessions, node) {
		if (!g->released) {
			g->released = true;
			WRITE_ONCE(g->id, 0);
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
}
