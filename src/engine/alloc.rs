//! A cache of small free blocks in front of the wasm allocator, so threads stop queueing for its one lock.
//!
//! Why: Rust's allocator on wasm32 is dlmalloc behind a single spin lock, taken by every `alloc` and every
//! `dealloc` of every thread. Native allocators keep per-thread arenas; on wasm, two threads that allocate
//! a lot (an interpreter does: RustPython boxes every int and every frame) spend their time queueing for
//! that lock, and free-threaded Python on two workers barely beats one.
//!
//! How: small blocks (up to [`MAX_SMALL`] bytes, alignment up to [`ALIGN`]) are rounded up to a size class
//! and, when freed, kept on a free list of one of [`SHARDS`] shards instead of going back to dlmalloc.
//! A shard is picked from the address of the caller's stack: each worker runs on its own stack, so two
//! threads almost always land on different shards and never touch the same lock or cache line.
//! Why not a thread-local cache: wasm-bindgen calls `malloc` to allocate a new worker's stack and its
//! thread-local block before thread-locals exist, so the allocator must not depend on them.
//! Every shard has its own spin lock (the page's main thread may not block with `Atomics.wait`, and the
//! locked work is a few loads and stores); a shard found busy is skipped and the block goes to, or comes
//! from, the inner allocator directly, which is always correct. Every small block is a genuine block of the
//! inner allocator with its class's layout, so any shard may hand out or give back any block, and a block
//! freed by another thread than the one that allocated it is fine.
//! Memory: each shard keeps at most [`SHARD_CLASS_BYTES`] per class, so at most
//! `SHARDS * CLASSES * SHARD_CLASS_BYTES` bytes (8 MiB) wait in caches; the rest goes back to the inner
//! allocator.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};

/// The granularity of size classes and the alignment every cached block has.
pub const ALIGN: usize = 16;
/// The largest block kept in a cache; larger ones always go to the inner allocator.
pub const MAX_SMALL: usize = 512;
/// Size classes: 16, 32, … 512 bytes.
pub const CLASSES: usize = MAX_SMALL / ALIGN;
/// How many independent caches there are.
pub const SHARDS: usize = 64;
/// How many bytes of one class one shard keeps before it gives blocks back.
pub const SHARD_CLASS_BYTES: usize = 4 << 10;
/// Stacks further apart than this land on different shards: thread stacks here are at least 1 MiB.
const STACK_GRAIN_BITS: u32 = 20;

/// A free block's first word links it to the next free block of its class.
struct FreeBlock {
    next: *mut FreeBlock,
}

/// One cache: a free list per class, guarded by one spin lock. Aligned to a cache line so shards used by
/// different threads do not share one.
#[repr(align(64))]
struct Shard {
    busy: AtomicBool,
    lists: UnsafeCell<Lists>,
}

struct Lists {
    heads: [*mut FreeBlock; CLASSES],
    counts: [u16; CLASSES],
}

// SAFETY: `lists` is only touched by the thread that holds `busy`.
unsafe impl Sync for Shard {}
// SAFETY: the free blocks a shard lists belong to no thread in particular.
unsafe impl Send for Shard {}

impl Shard {
    const fn new() -> Self {
        Shard {
            busy: AtomicBool::new(false),
            lists: UnsafeCell::new(Lists {
                heads: [ptr::null_mut(); CLASSES],
                counts: [0; CLASSES],
            }),
        }
    }

    /// Runs `f` on the lists if nobody else holds them; `None` when the shard is busy.
    #[inline]
    fn try_with<R>(&self, f: impl FnOnce(&mut Lists) -> R) -> Option<R> {
        if self
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        // SAFETY: `busy` is ours until the store below, so nobody else reads or writes the lists.
        let result = f(unsafe { &mut *self.lists.get() });
        self.busy.store(false, Ordering::Release);
        Some(result)
    }
}

/// The class of a small layout, or `None` for a block the inner allocator handles itself.
#[inline]
fn class_of(layout: &Layout) -> Option<usize> {
    if layout.size() <= MAX_SMALL && layout.align() <= ALIGN {
        Some(layout.size().max(1).div_ceil(ALIGN) - 1)
    } else {
        None
    }
}

/// The layout every block of `class` is allocated with from the inner allocator.
#[inline]
fn class_layout(class: usize) -> Layout {
    // SAFETY: the size is a non-zero multiple of ALIGN, a power of two, and far below isize::MAX.
    unsafe { Layout::from_size_align_unchecked((class + 1) * ALIGN, ALIGN) }
}

/// How many blocks of `class` one shard keeps.
#[inline]
fn class_capacity(class: usize) -> u16 {
    (SHARD_CLASS_BYTES / ((class + 1) * ALIGN)).max(4) as u16
}

/// The shard for the calling thread, from the address of its stack.
#[inline]
fn my_shard_index() -> usize {
    let marker = 0u8;
    let address = std::hint::black_box(&marker) as *const u8 as usize;
    (address >> STACK_GRAIN_BITS) % SHARDS
}

/// The cache in front of `A`; `ShardedCache<std::alloc::System>` is the wasm build's global allocator.
pub struct ShardedCache<A> {
    inner: A,
    shards: [Shard; SHARDS],
}

impl<A> ShardedCache<A> {
    pub const fn new(inner: A) -> Self {
        ShardedCache {
            inner,
            shards: [const { Shard::new() }; SHARDS],
        }
    }

    fn shard(&self) -> &Shard {
        &self.shards[my_shard_index()]
    }

    /// How many blocks wait in all caches (for tests).
    pub fn cached_blocks(&self) -> usize {
        self.shards
            .iter()
            .map(|s| loop {
                if let Some(n) = s.try_with(|l| l.counts.iter().map(|&c| c as usize).sum::<usize>())
                {
                    break n;
                }
                std::hint::spin_loop();
            })
            .sum()
    }
}

// Not inlined: with LTO the global allocator's body would otherwise be copied into every allocation site
// of the program (it grew the engine's wasm by 14 %), for no measurable gain.
unsafe impl<A: GlobalAlloc> GlobalAlloc for ShardedCache<A> {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(&layout) else {
            return self.inner.alloc(layout);
        };
        let cached = self.shard().try_with(|lists| {
            let head = lists.heads[class];
            if !head.is_null() {
                // SAFETY: a block on a free list is ours and its first word is the link.
                lists.heads[class] = unsafe { (*head).next };
                lists.counts[class] -= 1;
            }
            head
        });
        match cached {
            Some(block) if !block.is_null() => block.cast(),
            _ => self.inner.alloc(class_layout(class)),
        }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(class) = class_of(&layout) else {
            return self.inner.dealloc(block, layout);
        };
        let kept = self.shard().try_with(|lists| {
            if lists.counts[class] >= class_capacity(class) {
                return false;
            }
            let free = block.cast::<FreeBlock>();
            // SAFETY: the caller gave the block back; it is at least ALIGN bytes and ALIGN-aligned.
            unsafe {
                free.write(FreeBlock {
                    next: lists.heads[class],
                })
            };
            lists.heads[class] = free;
            lists.counts[class] += 1;
            true
        });
        if kept != Some(true) {
            self.inner.dealloc(block, class_layout(class));
        }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if class_of(&layout).is_none() {
            return self.inner.alloc_zeroed(layout);
        }
        let block = self.alloc(layout);
        if !block.is_null() {
            ptr::write_bytes(block, 0, layout.size());
        }
        block
    }

    #[inline(never)]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees new_size, rounded to the alignment, fits in isize.
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        match (class_of(&layout), class_of(&new_layout)) {
            // Both large: the inner allocator may grow in place.
            (None, None) => self.inner.realloc(block, layout, new_size),
            // The same class: the block already has room.
            (Some(old), Some(new)) if old == new => block,
            _ => {
                let moved = self.alloc(new_layout);
                if !moved.is_null() {
                    ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                    self.dealloc(block, layout);
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;
    use std::sync::Arc;

    #[test]
    fn classes_round_up_to_sixteen_bytes_and_large_or_overaligned_blocks_pass_through() {
        let l = |size, align| Layout::from_size_align(size, align).unwrap();
        assert_eq!(class_of(&l(1, 1)), Some(0));
        assert_eq!(class_of(&l(16, 8)), Some(0));
        assert_eq!(class_of(&l(17, 8)), Some(1));
        assert_eq!(class_of(&l(512, 16)), Some(CLASSES - 1));
        assert_eq!(class_of(&l(513, 8)), None);
        assert_eq!(class_of(&l(64, 32)), None);
        assert_eq!(class_layout(CLASSES - 1).size(), MAX_SMALL);
    }

    #[test]
    fn a_freed_block_is_handed_out_again_from_the_cache() {
        let cache = ShardedCache::new(System);
        let layout = Layout::from_size_align(40, 8).unwrap();
        unsafe {
            let a = cache.alloc(layout);
            assert_eq!(a as usize % ALIGN, 0);
            cache.dealloc(a, layout);
            assert_eq!(cache.cached_blocks(), 1);
            // 33..48 bytes share a class, so a 48-byte request reuses the same block.
            let b = cache.alloc(Layout::from_size_align(48, 16).unwrap());
            assert_eq!(a, b);
            assert_eq!(cache.cached_blocks(), 0);
            cache.dealloc(b, Layout::from_size_align(48, 16).unwrap());
        }
    }

    #[test]
    fn a_shard_keeps_a_bounded_number_of_blocks() {
        let cache = ShardedCache::new(System);
        let layout = Layout::from_size_align(MAX_SMALL, 8).unwrap();
        let blocks: Vec<_> = (0..100).map(|_| unsafe { cache.alloc(layout) }).collect();
        for b in blocks {
            unsafe { cache.dealloc(b, layout) };
        }
        assert_eq!(cache.cached_blocks(), class_capacity(CLASSES - 1) as usize);
    }

    #[test]
    fn realloc_keeps_the_bytes_across_classes_and_into_large_blocks() {
        let cache = ShardedCache::new(System);
        unsafe {
            let mut layout = Layout::from_size_align(8, 8).unwrap();
            let mut p = cache.alloc(layout);
            for i in 0..8 {
                *p.add(i) = i as u8;
            }
            for new_size in [12, 24, 200, 512, 600, 5000, 100, 8] {
                p = cache.realloc(p, layout, new_size);
                assert!(!p.is_null());
                for i in 0..8 {
                    assert_eq!(*p.add(i), i as u8, "byte {i} after growing to {new_size}");
                }
                layout = Layout::from_size_align(new_size, 8).unwrap();
            }
            cache.dealloc(p, layout);
            let z = cache.alloc_zeroed(Layout::from_size_align(64, 8).unwrap());
            assert!((0..64).all(|i| *z.add(i) == 0));
            cache.dealloc(z, Layout::from_size_align(64, 8).unwrap());
        }
    }

    /// Threads allocate, fill, check and free blocks of every size, and free blocks that other threads
    /// allocated: a block handed out twice, or a link written over live data, breaks a fill pattern.
    #[test]
    fn threads_sharing_the_cache_never_get_the_same_block() {
        let cache = Arc::new(ShardedCache::new(System));
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, usize, u8)>(1024);
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let workers: Vec<_> = (0..4u8)
            .map(|t| {
                let (cache, tx, rx) = (cache.clone(), tx.clone(), rx.clone());
                std::thread::spawn(move || {
                    let mut live: Vec<(usize, usize, u8)> = Vec::new();
                    let mut seed = 0x9E37_79B9u32.wrapping_mul(t as u32 + 1);
                    for round in 0..40_000u32 {
                        seed ^= seed << 13;
                        seed ^= seed >> 17;
                        seed ^= seed << 5;
                        let size = 1 + (seed as usize % 700);
                        let fill = (round as u8).wrapping_add(t);
                        let layout = Layout::from_size_align(size, 8).unwrap();
                        let p = unsafe { cache.alloc(layout) };
                        unsafe { ptr::write_bytes(p, fill, size) };
                        live.push((p as usize, size, fill));
                        if seed % 3 == 0 {
                            // Hand one block to whichever thread takes it next.
                            let _ = tx.try_send(live.swap_remove(seed as usize % live.len()));
                        }
                        if live.len() > 64 || seed % 5 == 0 {
                            let taken = rx.lock().unwrap().try_recv().ok();
                            let Some((p, size, fill)) = taken.or_else(|| live.pop()) else {
                                continue;
                            };
                            let p = p as *mut u8;
                            for i in 0..size {
                                assert_eq!(
                                    unsafe { *p.add(i) },
                                    fill,
                                    "a block was written by someone else"
                                );
                            }
                            unsafe { cache.dealloc(p, Layout::from_size_align(size, 8).unwrap()) };
                        }
                    }
                    for (p, size, fill) in live {
                        assert!((0..size).all(|i| unsafe { *(p as *mut u8).add(i) } == fill));
                        unsafe {
                            cache.dealloc(p as *mut u8, Layout::from_size_align(size, 8).unwrap())
                        };
                    }
                })
            })
            .collect();
        drop(tx);
        for w in workers {
            w.join().unwrap();
        }
        while let Ok((p, size, fill)) = rx.lock().unwrap().try_recv() {
            assert!((0..size).all(|i| unsafe { *(p as *mut u8).add(i) } == fill));
            unsafe { cache.dealloc(p as *mut u8, Layout::from_size_align(size, 8).unwrap()) };
        }
    }
}
