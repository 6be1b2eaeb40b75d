// SPDX-License-Identifier: GPL-2.0
/* Checks a manifest's layout and maps code addresses to its page hashes. */
/* Context: any, VMX root included: no allocation, no locks, no faults. */
#include "manifest.h"

#define HVT_SEGMENT_FLAGS	(HVTRUST_SEGMENT_X | HVTRUST_SEGMENT_W | HVTRUST_SEGMENT_R)
#define HVT_PAGE_MASK_LOW	((u64)HVTRUST_PAGE_SIZE - 1)
/* The canonical user half of a 4-level address space. */
#define HVT_USER_TOP		0x0000800000000000ULL

static const struct hvtrust_manifest_segment *
HVT_ROOT hvt_segments(const struct hvtrust_manifest *manifest)
{
	return manifest->segments;
}

static HVT_ROOT int hvt_check_segment(const struct hvtrust_manifest *manifest,
				      const struct hvtrust_manifest_segment *seg,
				      u32 first_page, u64 min_vaddr)
{
	u64 pages;

	if (seg->reserved || !(seg->flags & HVTRUST_SEGMENT_X) ||
	    (seg->flags & ~HVT_SEGMENT_FLAGS))
		return -EINVAL;
	if ((seg->vaddr | seg->offset) & HVT_PAGE_MASK_LOW)
		return -EINVAL;
	if (!seg->memsz || seg->filesz > seg->memsz ||
	    seg->memsz > HVT_USER_TOP || seg->vaddr >= HVT_USER_TOP ||
	    seg->vaddr + seg->memsz > HVT_USER_TOP || seg->vaddr < min_vaddr)
		return -EINVAL;
	if (seg->offset > manifest->file_size ||
	    seg->filesz > manifest->file_size - seg->offset)
		return -EINVAL;
	pages = (seg->memsz + HVT_PAGE_MASK_LOW) / HVTRUST_PAGE_SIZE;
	if (seg->nr_pages != pages || seg->first_page != first_page)
		return -EINVAL;
	return 0;
}

/**
 * hvt_manifest_check() - check every field of a manifest before use
 * @manifest: the manifest, @size bytes of it readable
 * @size: bytes available
 *
 * Segments must be executable, page aligned, in ascending order without
 * overlap, inside the user half of the address space and inside the file,
 * and their pages must account for every page hash exactly once.
 *
 * Return: 0, or -EINVAL naming nothing: a manifest is either right or not.
 */
HVT_ROOT int hvt_manifest_check(const struct hvtrust_manifest *manifest, u64 size)
{
	const struct hvtrust_manifest_segment *segs;
	u64 expected, min_vaddr = 0;
	u32 i, pages = 0;
	int err;

	if (size < HVTRUST_MANIFEST_HEADER_SIZE)
		return -EINVAL;
	if (manifest->magic != HVTRUST_MANIFEST_MAGIC ||
	    manifest->version != HVTRUST_MANIFEST_VERSION ||
	    manifest->size != size ||
	    (manifest->flags & ~HVTRUST_MANIFEST_PIE) ||
	    manifest->reserved[0] || manifest->reserved[1])
		return -EINVAL;
	if (!manifest->nr_segments ||
	    manifest->nr_segments > HVTRUST_MANIFEST_MAX_SEGMENTS ||
	    !manifest->nr_pages ||
	    manifest->nr_pages > HVTRUST_MANIFEST_MAX_PAGES)
		return -EINVAL;
	expected = HVTRUST_MANIFEST_HEADER_SIZE +
		   (u64)manifest->nr_segments * sizeof(*segs) +
		   (u64)manifest->nr_pages * HVTRUST_SHA256_SIZE;
	if (size != expected)
		return -EINVAL;
	segs = hvt_segments(manifest);
	for (i = 0; i < manifest->nr_segments; i++) {
		err = hvt_check_segment(manifest, &segs[i], pages, min_vaddr);
		if (err)
			return err;
		if (segs[i].nr_pages > manifest->nr_pages - pages)
			return -EINVAL;
		pages += segs[i].nr_pages;
		min_vaddr = segs[i].vaddr + (u64)segs[i].nr_pages * HVTRUST_PAGE_SIZE;
	}
	return pages == manifest->nr_pages ? 0 : -EINVAL;
}

/**
 * hvt_manifest_page_hash() - the expected SHA-256 of one code page
 * @manifest: a checked manifest
 * @index: the page, below nr_pages
 *
 * Return: its hash.
 */
HVT_ROOT const u8 *hvt_manifest_page_hash(const struct hvtrust_manifest *manifest,
					  u32 index)
{
	const u8 *hashes = (const u8 *)(hvt_segments(manifest) +
					manifest->nr_segments);

	return hashes + (u64)index * HVTRUST_SHA256_SIZE;
}

/**
 * hvt_manifest_page_of() - which code page holds an address
 * @manifest: a checked manifest
 * @vaddr: an address relative to the load bias
 * @index: where to store the page's index
 *
 * Return: 0, or -ENOENT when no executable segment covers @vaddr.
 */
HVT_ROOT int hvt_manifest_page_of(const struct hvtrust_manifest *manifest, u64 vaddr,
				  u32 *index)
{
	const struct hvtrust_manifest_segment *segs = hvt_segments(manifest);
	u32 i;

	for (i = 0; i < manifest->nr_segments; i++) {
		u64 start = segs[i].vaddr;
		u64 end = start + (u64)segs[i].nr_pages * HVTRUST_PAGE_SIZE;

		if (vaddr >= start && vaddr < end) {
			*index = segs[i].first_page +
				 (u32)((vaddr - start) / HVTRUST_PAGE_SIZE);
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * hvt_manifest_page_vaddr() - where a code page is mapped, relative to the bias
 * @manifest: a checked manifest
 * @index: the page, below nr_pages
 *
 * Return: its address.
 */
HVT_ROOT u64 hvt_manifest_page_vaddr(const struct hvtrust_manifest *manifest, u32 index)
{
	const struct hvtrust_manifest_segment *segs = hvt_segments(manifest);
	u32 i;

	for (i = 0; i + 1 < manifest->nr_segments; i++)
		if (index < segs[i + 1].first_page)
			break;
	return segs[i].vaddr + (u64)(index - segs[i].first_page) * HVTRUST_PAGE_SIZE;
}
