// SPDX-License-Identifier: MIT
#pragma once

/// An unbounded, lock-free multi-producer/single-consumer FIFO, built for actor inboxes.
///
///   mpsc_queue<int> q;
///   q.try_emplace(42);                                        // any thread
///   q.consume(64, [](int& v) noexcept { use(v); });           // the one consumer thread
///
/// Storage is a linked list of blocks of `BlockSlots` slots. An empty queue that never held an
/// element owns no block; the first push allocates one (only `FirstSlots` slots: the index starts
/// each such lap late, so a queue that carries one message at a time stays small), later blocks
/// are linked as the queue grows,
/// and the consumer hands each block back once it has read past it. `release_storage()` lets the
/// consumer drop the current block when the queue is empty, so an idle inbox costs only this
/// object. A block goes back to the thread that allocated it (a lock-free return stack per
/// thread, see `home`), so a steady stream from any thread, worker or not, reaches a state
/// without allocation.
///
/// Guarantees and non-guarantees:
/// - FIFO per producer; elements of different producers are ordered by their reservation of a
///   slot (one CAS on the tail index), so the queue is linearizable for pushes.
/// - Producers are lock-free: a producer that finds the tail at a block boundary waits (spins)
///   only while another producer links the next block. A producer preempted between reserving a
///   slot and publishing it delays the consumer (it sees "not ready yet"), never loses data.
/// - `try_emplace` performs one sequentially consistent read-modify-write on the tail index; the
///   actor scheduler relies on it as a full fence before it reads the actor's state (see
///   docs/threading.md, "no lost wake-up").
/// - After `close()` every push returns `push_result::closed`; elements pushed before it remain
///   for the consumer to drain.
///
/// The algorithm follows the segmented queue described for crossbeam's SegQueue (tail index with
/// one sentinel offset per block while the next block is installed), adapted to one consumer,
/// closing, and releasing storage when empty.

#include <hollywood/cache_line.hpp>
#include <hollywood/cpu_relax.hpp>
#include <hollywood/ringbuffer/push_result.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace hollywood::ringbuffer {

/// Memory layout of a queue's control words.
enum class queue_layout : std::uint8_t {
  /// Producer and consumer words on separate cache-line pairs (256 bytes): for queues that stand
  /// alone and are hot on both sides.
  padded,
  /// Packed into 40 bytes: for queues embedded in many small objects (actor inboxes), where the
  /// owner places the queue; the consumer writes its words once per batch, not per element.
  compact,
};

/// See the file comment. `FirstSlots` is the size of the block that starts the queue and every
/// block after an emptied `release_storage()`: a queue that carries one message at a time (an
/// idle actor's inbox) then needs a few hundred bytes instead of a full block.
/// @pre `T` is nothrow-destructible and constructed without throwing.
template <class T, std::size_t BlockSlots = 31, queue_layout Layout = queue_layout::padded,
          std::size_t FirstSlots = BlockSlots>
class mpsc_queue {
  static_assert(std::is_nothrow_destructible_v<T>);
  static_assert(BlockSlots >= 2 && BlockSlots < 1024);
  static_assert(FirstSlots >= 1 && FirstSlots <= BlockSlots);
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
  static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
  static_assert(std::atomic<void*>::is_always_lock_free);

 public:
  using value_type = T;

  /// Slots usable per block; one more index value per block ("lap") marks the block boundary.
  static constexpr std::size_t block_slots = BlockSlots;
  /// Slots of a first block: it serves only the last `FirstSlots` offsets of its lap.
  static constexpr std::size_t first_slots = FirstSlots;

  // -- constructors ------------------------------------------------------------

  mpsc_queue() noexcept = default;
  mpsc_queue(const mpsc_queue&) = delete;
  mpsc_queue& operator=(const mpsc_queue&) = delete;

  /// Destroys the elements still queued. @pre no concurrent producer or consumer.
  ~mpsc_queue() {
    consume(SIZE_MAX, [](T&) noexcept {});
    if (head_block_ != nullptr) recycle(head_block_);
    if (block* pending = first_.load(std::memory_order_acquire);
        pending != nullptr && pending != head_block_) {
      recycle(pending);
    }
  }

  // -- producer side -----------------------------------------------------------

  /// Constructs an element at the tail. Returns `push_result::closed` (constructing nothing)
  /// after `close()`. May allocate a block when the tail block is full or absent.
  /// @threadsafe
  template <class... Args>
  push_result try_emplace(Args&&... args) {
    static_assert(std::is_nothrow_constructible_v<T, Args&&...>,
                  "elements are constructed after the slot is reserved and must not throw");
    std::uint64_t tail = tail_index_.load(std::memory_order_acquire);
    block* blk = tail_block_.load(std::memory_order_acquire);
    block* spare = nullptr;
    for (;;) {
      if ((tail & closed_bit) != 0) {
        if (spare != nullptr) recycle(spare);
        return push_result::closed;
      }
      const std::size_t offset = tail % lap;
      if (offset == block_slots) {
        // Another producer is linking the next block (or the consumer releases storage).
        hollywood::cpu_relax();
        tail = tail_index_.load(std::memory_order_acquire);
        blk = tail_block_.load(std::memory_order_acquire);
        continue;
      }
      if (offset + 1 == block_slots && spare == nullptr) spare = allocate(0);
      if (blk == nullptr) {
        // A first block starts where the lap does (late, when FirstSlots < BlockSlots). With a
        // stale `tail` the offset may be earlier: a full block then covers it just as well.
        block* fresh = allocate(offset >= first_offset ? first_offset : 0);
        block* none = nullptr;
        // Release pairs with the acquire loads of tail_block_ by producers. Acquire pairs with
        // the release store of nullptr in release_storage(): the consumer's earlier
        // `first_.store(nullptr)` in consume() then happens-before our `first_.store(fresh)`,
        // so it cannot overwrite it.
        if (tail_block_.compare_exchange_strong(none, fresh, std::memory_order_acq_rel,
                                                std::memory_order_relaxed)) {
          // Release pairs with the consumer's acquire load of first_ in consume().
          first_.store(fresh, std::memory_order_release);
          blk = fresh;
        } else {
          recycle(fresh);
          tail = tail_index_.load(std::memory_order_acquire);
          blk = tail_block_.load(std::memory_order_acquire);
          continue;
        }
      }
      // seq_cst: this RMW is the full fence between publishing the element and the caller's
      // subsequent read of the consumer's state (the Dekker pair in the actor scheduler).
      if (tail_index_.compare_exchange_weak(tail, tail + 1, std::memory_order_seq_cst,
                                            std::memory_order_acquire)) {
        if (offset + 1 == block_slots) {
          // We hold the block's last slot: link the next block before publishing the element, so
          // a consumer that reads this slot always finds `next`. While the tail index sits on the
          // sentinel offset no one else can change it, hence the plain stores.
          block* next = std::exchange(spare, nullptr);
          tail_block_.store(next, std::memory_order_release);      // pairs with producers' acquire
          tail_index_.store(tail + 2, std::memory_order_release);  // pairs with producers' acquire
          blk->next.store(next, std::memory_order_release);        // pairs with consume()'s acquire
        }
        slot& s = blk->at(offset);
        ::new (s.storage()) T(std::forward<Args>(args)...);
        // Release pairs with the acquire load in consume().
        s.published.store(blk->use, std::memory_order_release);
        if (spare != nullptr) recycle(spare);
        return push_result::ok;
      }
      blk = tail_block_.load(std::memory_order_acquire);
    }
  }

  /// Pushes a copy or moved value; see `try_emplace`. @threadsafe
  push_result try_push(T value) { return try_emplace(std::move(value)); }

  /// Closes the queue: later pushes fail with `push_result::closed`. Idempotent. Elements already
  /// pushed stay for the consumer. @threadsafe
  void close() noexcept {
    std::uint64_t tail = tail_index_.load(std::memory_order_acquire);
    for (;;) {
      if ((tail & closed_bit) != 0) return;
      if (tail % lap == block_slots) {  // a block is being linked; its installer stores the index
        hollywood::cpu_relax();
        tail = tail_index_.load(std::memory_order_acquire);
        continue;
      }
      if (tail_index_.compare_exchange_weak(tail, tail | closed_bit, std::memory_order_seq_cst,
                                            std::memory_order_acquire)) {
        return;
      }
    }
  }

  /// Returns whether `close()` was called. @threadsafe
  [[nodiscard]] bool closed() const noexcept {
    return (tail_index_.load(std::memory_order_acquire) & closed_bit) != 0;
  }

  // -- consumer side -----------------------------------------------------------

  /// Calls `fn(T&)` on up to `max` elements in FIFO order, destroying each afterwards, and
  /// returns how many it handled. Stops early at the first slot that is empty or reserved but not
  /// yet published, or after an element for which `fn` returned `false` (when `fn` returns
  /// `bool`; that element counts as consumed). `fn` must not throw.
  /// @consumer
  template <class F>
  std::size_t consume(std::size_t max, F&& fn) noexcept {
    static_assert(std::is_nothrow_invocable_v<F&, T&>, "the consumer callback must be noexcept");
    constexpr bool can_stop = std::is_same_v<std::invoke_result_t<F&, T&>, bool>;
    bool go_on = true;
    std::size_t n = 0;
    block* blk = head_block_;
    std::uint64_t head = head_index_.load(std::memory_order_relaxed);  // only we write it
    while (n < max && go_on) {
      if (blk == nullptr) {
        blk = first_.load(std::memory_order_acquire);  // pairs with the release store in push
        if (blk == nullptr) break;
        first_.store(nullptr, std::memory_order_relaxed);
      }
      const std::size_t offset = head % lap;
      slot& s = blk->at(offset);
      // Acquire pairs with the release store in push.
      if (s.published.load(std::memory_order_acquire) != blk->use) break;
      T& value = *s.get();
      if constexpr (can_stop) {
        go_on = fn(value);
      } else {
        fn(value);
      }
      value.~T();
      ++n;
      ++head;
      if (offset + 1 == block_slots) {
        block* next = blk->next.load(std::memory_order_acquire);  // linked before this slot
        recycle(blk);
        blk = next;
        ++head;  // skip the sentinel offset: the next block is a full one
      }
    }
    if (n != 0 || blk != head_block_) {  // a consumer polling an empty queue writes nothing
      head_block_ = blk;
      // Release: pairs with the acquire in consumed_through(); the elements before `head` were
      // handled before an observer can see the position pass them.
      head_index_.store(head, std::memory_order_release);
    }
    return n;
  }

  /// Moves the oldest element into `out`. Returns `false` if none is ready. @consumer
  [[nodiscard]] bool try_pop(T& out) noexcept {
    static_assert(std::is_nothrow_move_assignable_v<T>);
    return consume(1, [&out](T& v) noexcept { out = std::move(v); }) == 1;
  }

  /// Returns whether every reserved slot has been consumed. A slot reserved but not yet published
  /// counts as "not empty" (its element is in flight). Sequentially consistent: the scheduler's
  /// half of the Dekker pair with `try_emplace`.
  /// @consumer
  [[nodiscard]] bool empty() const noexcept {
    return (tail_index_.load(std::memory_order_seq_cst) & ~closed_bit) ==
           head_index_.load(std::memory_order_relaxed);
  }

  /// Returns the consumer's position, for a later `pushed_since` check from any thread.
  /// @consumer
  [[nodiscard]] std::uint64_t consumer_position() const noexcept {
    return head_index_.load(std::memory_order_relaxed);
  }

  /// Returns whether anything was pushed (or is being pushed) after the consumer stood at
  /// `position`. Reads only the tail, so a thread that no longer owns the consumer side may ask.
  /// Sequentially consistent, like `empty()`.
  /// @threadsafe
  [[nodiscard]] bool pushed_since(std::uint64_t position) const noexcept {
    return (tail_index_.load(std::memory_order_seq_cst) & ~closed_bit) != position;
  }

  /// Returns a position at or after every element whose push happened before this call, for a
  /// later `consumed_through` check. @threadsafe
  [[nodiscard]] std::uint64_t producer_position() const noexcept {
    return tail_index_.load(std::memory_order_acquire) & ~closed_bit;
  }

  /// Returns whether the consumer has handled every element before `position` (a value from
  /// `producer_position`). Positions only grow, also across `release_storage`. @threadsafe
  [[nodiscard]] bool consumed_through(std::uint64_t position) const noexcept {
    return head_index_.load(std::memory_order_acquire) >= position;  // partner: consume()
  }

  /// Drops the current block when the queue is empty, so an idle queue holds no storage.
  /// Returns `false` (keeping the block) when an element is queued or in flight, or the queue is
  /// closed.
  /// @consumer
  bool release_storage() noexcept {
    if (head_block_ == nullptr) {
      // No block reached us, but one may be installed and already used by other producers
      // while its installer has yet to store first_: only an index check tells "no element".
      // seq_cst like empty(), so a `true` here carries the same Dekker guarantee.
      return first_.load(std::memory_order_acquire) == nullptr  // pairs with the push's release
             && (tail_index_.load(std::memory_order_seq_cst) & ~closed_bit) ==
                    head_index_.load(std::memory_order_relaxed);
    }
    const std::uint64_t head = head_index_.load(std::memory_order_relaxed);
    const std::uint64_t base = head - head % lap;
    std::uint64_t expected = head;
    // Parking the tail on the sentinel offset stops producers (they spin) while the block goes.
    if (!tail_index_.compare_exchange_strong(
            expected, base + block_slots, std::memory_order_seq_cst, std::memory_order_relaxed)) {
      return false;
    }
    // Release pairs with the acquire half of the installing CAS in try_emplace(): a producer
    // that read a stale tail index can see this nullptr before the release store of the index
    // below, and must still be ordered after our `first_.store(nullptr)` in consume().
    tail_block_.store(nullptr, std::memory_order_release);
    recycle(head_block_);
    head_block_ = nullptr;
    const std::uint64_t fresh = base + lap + first_offset;
    head_index_.store(fresh, std::memory_order_release);  // partner: consumed_through()
    tail_index_.store(fresh, std::memory_order_release);  // pairs with producers' acquire
    return true;
  }

  /// Returns whether the queue currently owns a block. @consumer
  [[nodiscard]] bool holds_storage() const noexcept {
    return head_block_ != nullptr || first_.load(std::memory_order_acquire) != nullptr;
  }

  // -- observers ---------------------------------------------------------------

  /// Returns a guess of the number of queued elements: exact when nothing runs concurrently;
  /// otherwise it may lag by the consumer's current batch or count in-flight pushes. @threadsafe
  [[nodiscard]] std::size_t size_approx() const noexcept {
    const std::uint64_t tail = tail_index_.load(std::memory_order_acquire) & ~closed_bit;
    const std::uint64_t head = head_index_.load(std::memory_order_relaxed);
    const std::uint64_t t = sequence(tail);
    const std::uint64_t h = sequence(head);
    return t > h ? static_cast<std::size_t>(t - h) : 0;
  }

  // -- memory --------------------------------------------------------------------

  /// Frees every block waiting on a thread's return stack, for all queues of this type, and
  /// returns how many bytes that was. Blocks come back to the thread that allocated them and stay
  /// there until it allocates again: after a burst from a thread that went quiet, that can be a
  /// block for every message the burst sent. Freed blocks go to malloc's free lists (whether it
  /// hands them to the OS is malloc's business). Each thread's small cache of recent blocks is
  /// kept. Costs a free() per block: for moments nobody waits on (an idle engine). @threadsafe
  static std::size_t hand_back_returned() noexcept {
    std::size_t bytes = 0;
    // Acquire pairs with the release store that published each home; homes are never freed.
    for (home* h = all_homes().load(std::memory_order_acquire); h != nullptr;
         h = h->registered_next) {
      for (std::size_t k = 0; k < home::kinds; ++k) {
        // Acquire pairs with the release CAS of every recycle() that pushed onto the stack; the
        // owner takes its stack with the same exchange, so each block is taken once.
        for (block* b = h->returned[k].exchange(nullptr, std::memory_order_acquire);
             b != nullptr;) {
          block* next = b->next.load(std::memory_order_relaxed);
          bytes += bytes_for(b->first);
          release_memory(b);
          b = next;
        }
      }
    }
    return bytes;
  }

 private:
  static constexpr std::size_t lap = block_slots + 1;
  static constexpr std::size_t first_offset = block_slots - first_slots;
  static constexpr std::uint64_t closed_bit = std::uint64_t{1} << 63;

  /// A slot holds an element once `published` equals its block's `use`. The consumer never
  /// writes the stamp back: a ready flag the consumer reset was a store into the line the
  /// producer writes next, and that line then had to come back from the consumer's core before
  /// the producer's next tail CAS could complete (fan-in from one thread: 30.5 -> 54.6 M msgs/s
  /// in interleaved runs). Instead, every reuse of a block moves its `use` on, which makes all
  /// the stamps its slots still hold stale at once.
  struct slot {
    std::atomic<std::uint64_t> published{0};
    alignas(T) unsigned char bytes[sizeof(T)];
    T* storage() noexcept { return reinterpret_cast<T*>(bytes); }
    T* get() noexcept { return std::launder(reinterpret_cast<T*>(bytes)); }
  };

  struct home;

  /// A block holds the slots for offsets [first, block_slots) of its lap; full blocks start at
  /// 0, first blocks at `first_offset`. Allocated as a header followed by its slots. `next` links
  /// the queue while the block is in use, and a home's return stack once it is recycled.
  struct block {
    std::atomic<block*> next{nullptr};
    std::size_t first;
    home* owner;  // the thread that allocated it takes it back (see home)
    // Counts the block's uses; the stamp a slot gets when published (see slot). Written only by
    // the owner before it hands the block out; 64 bits, so no count ever comes round again.
    std::uint64_t use = 1;
    slot& at(std::size_t offset) noexcept { return slots()[offset - first]; }
    slot* slots() noexcept { return reinterpret_cast<slot*>(this + 1); }
  };
  // The slots follow the header directly, so they need no more alignment than it has (which
  // also makes the block's own alignment enough for them).
  static_assert(sizeof(block) % alignof(slot) == 0 && alignof(slot) <= alignof(block));

  /// Maps an index (lap * block + offset) to a running element count, ignoring sentinels.
  static std::uint64_t sequence(std::uint64_t index) noexcept {
    const std::uint64_t offset = index % lap;
    return (index / lap) * block_slots + (offset < block_slots ? offset : block_slots);
  }

  /// Where the blocks a thread allocates come back to. A consumer that is done with a block
  /// pushes it onto its allocating thread's return stack (lock-free); that thread takes the whole
  /// stack when its cache runs dry. Without this, a sender that is not a worker got a block from
  /// malloc every `BlockSlots` pushes and the worker freed it into the sender's arena: arena
  /// locks, and heaps trimmed and faulted in again (4 senders -> 1 actor: 15% of the time).
  /// A home outlives its thread: when the thread ends it is parked, blocks still in use come back
  /// to it later, and the next new thread adopts it with whatever came back.
  struct home {
    static constexpr std::size_t kinds = 2;  // full blocks, first blocks
    static constexpr std::size_t capacity = 16;
    // Pushed by any thread (release CAS), taken whole by the owner (acquire exchange): a Treiber
    // stack with no single pops, so no ABA.
    std::atomic<block*> returned[kinds] = {};
    block* cached[kinds][capacity] = {};  // owner only
    home* registered_next = nullptr;      // the list of all homes (see all_homes); immutable
    std::size_t count[kinds] = {};

    /// Frees what this home holds, before parking it. @pre called by its owner.
    void drain() noexcept {
      for (std::size_t k = 0; k < kinds; ++k) {
        for (std::size_t i = 0; i < count[k]; ++i)
          release_memory(cached[k][i]);
        count[k] = 0;
        for (block* b = returned[k].exchange(nullptr, std::memory_order_acquire); b != nullptr;) {
          block* next = b->next.load(std::memory_order_relaxed);
          release_memory(b);
          b = next;
        }
      }
    }
  };

  /// Homes of finished threads, waiting for a new thread (never freed: blocks may still point
  /// at them). The lock is taken once per thread lifetime. (Kept this small on purpose: a larger
  /// registration here changed how the compiler laid out the consumer's loop, and fan-in from one
  /// thread fell from 66 M to 46 M msgs/s.)
  struct parked_homes {
    std::mutex mu;
    std::vector<home*> homes;
  };
  /// Every home ever made, newest first; pushed under parked().mu, read by hand_back_returned()
  /// (acquire, pairs with the release store of the push).
  static std::atomic<home*>& all_homes() noexcept {
    static std::atomic<home*> head{nullptr};
    return head;
  }
  static parked_homes& parked() noexcept {
    static auto* p = new parked_homes;  // never destroyed: threads may end during static teardown
    return *p;
  }
  struct home_handle {
    home* h;
    home_handle() {
      parked_homes& p = parked();
      std::lock_guard lock(p.mu);
      if (p.homes.empty()) {
        h = new home;
        h->registered_next = all_homes().load(std::memory_order_relaxed);
        all_homes().store(h, std::memory_order_release);  // under p.mu: one writer at a time
      } else {
        h = p.homes.back();
        p.homes.pop_back();
      }
    }
    home_handle(const home_handle&) = delete;
    home_handle& operator=(const home_handle&) = delete;
    ~home_handle() {
      h->drain();
      parked_homes& p = parked();
      std::lock_guard lock(p.mu);
      p.homes.push_back(h);
    }
  };
  static home& my_home() {
    static thread_local home_handle handle;
    return *handle.h;
  }
  static std::size_t kind_of(std::size_t first) noexcept { return first == 0 ? 0 : 1; }

  /// Full blocks start their slots on a cache line (the header sits at the end of the line
  /// before): with several senders, two neighbouring slots then never share a line, and a slot of
  /// a line's size costs the consumer one line instead of two. First blocks stay unpadded: they
  /// serve one message at a time, and are the ones an idle-heavy engine has most of.
  static constexpr std::size_t full_block_alignment = cache_line_size;
  static constexpr std::size_t full_block_pad =
      (full_block_alignment - sizeof(block) % full_block_alignment) % full_block_alignment;
  static constexpr std::size_t first_block_alignment = alignof(block);

  static std::size_t pad_for(std::size_t first) noexcept { return first == 0 ? full_block_pad : 0; }
  static std::align_val_t alignment_for(std::size_t first) noexcept {
    return std::align_val_t{first == 0 ? full_block_alignment : first_block_alignment};
  }
  static std::size_t bytes_for(std::size_t first) noexcept {
    return pad_for(first) + sizeof(block) + (block_slots - first) * sizeof(slot);
  }
  /// A block for offsets [first, block_slots), with no slot published in its new use: `first` is
  /// 0 or `first_offset`.
  static block* allocate(std::size_t first) {
    home& h = my_home();
    const std::size_t k = kind_of(first);
    if (h.count[k] == 0) {
      // Acquire pairs with the release CAS of every recycle() that pushed onto the stack.
      block* b = h.returned[k].exchange(nullptr, std::memory_order_acquire);
      while (b != nullptr) {
        block* next = b->next.load(std::memory_order_relaxed);
        if (h.count[k] < home::capacity) {
          h.cached[k][h.count[k]++] = b;
        } else {
          release_memory(b);  // ours: freed into this thread's own arena
        }
        b = next;
      }
    }
    if (h.count[k] > 0) {
      block* b = h.cached[k][--h.count[k]];
      b->next.store(nullptr, std::memory_order_relaxed);
      ++b->use;
      return b;
    }
    auto* raw = static_cast<unsigned char*>(::operator new(bytes_for(first), alignment_for(first)));
    block* b = ::new (raw + pad_for(first)) block{{nullptr}, first, &h, 1};
    for (std::size_t i = first; i < block_slots; ++i)
      ::new (&b->at(i)) slot();
    return b;
  }
  static void release_memory(block* b) noexcept {
    const std::size_t first = b->first;
    b->~block();  // slots are trivially destructible (their elements were destroyed earlier)
    ::operator delete(reinterpret_cast<unsigned char*>(b) - pad_for(first), alignment_for(first));
  }
  /// Hands a block nobody uses any more back to its home. @pre no thread reads it any more.
  static void recycle(block* b) noexcept {
    home* owner = b->owner;
    const std::size_t k = kind_of(b->first);
    if (owner == &my_home() && owner->count[k] < home::capacity) {
      owner->cached[k][owner->count[k]++] = b;
      return;
    }
    block* top = owner->returned[k].load(std::memory_order_relaxed);
    do {
      b->next.store(top, std::memory_order_relaxed);
      // Release pairs with the owner's acquire exchange in allocate(): our reads of the block
      // (and the link just stored) happen before its next use.
    } while (!owner->returned[k].compare_exchange_weak(top, b, std::memory_order_release,
                                                       std::memory_order_relaxed));
  }

  static constexpr std::size_t side_alignment =
      Layout == queue_layout::padded ? false_sharing_range : alignof(std::uint64_t);

  // Producer-written state, then consumer-written state (separate lines when padded).
  alignas(side_alignment) std::atomic<std::uint64_t> tail_index_{first_offset};
  std::atomic<block*> tail_block_{nullptr};
  std::atomic<block*> first_{nullptr};  // first block after an empty period, for the consumer
  alignas(side_alignment) block* head_block_ = nullptr;
  // Written only by the consumer, once per batch; an atomic so that other threads may ask how far
  // it got (consumed_through, size_approx).
  std::atomic<std::uint64_t> head_index_{first_offset};
};

}  // namespace hollywood::ringbuffer
