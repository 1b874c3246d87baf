// SPDX-License-Identifier: MIT
// C11 threads on top of pthreads, linked into ThreadSanitizer test binaries that create an
// rd_kafka_t. Debian's librdkafka runs its threads, mutexes and condition variables through
// glibc's C11 threads, which neither GCC's nor clang's TSan runtime intercepts: without this,
// the first rdk:* thread crashes in the TSan allocator (notes/dependencies.md). Definitions in
// the executable take precedence over glibc's, so librdkafka ends up in the pthread functions
// TSan does intercept. glibc's thrd_t, mtx_t, cnd_t and once_flag are its pthread types.
#include <errno.h>
#include <pthread.h>
#include <threads.h>

#include <cstdint>
#include <new>

namespace {

struct thread_start {
  thrd_start_t fn;
  void* arg;
};

void* run_c11_thread(void* p) {
  const thread_start start = *static_cast<thread_start*>(p);
  delete static_cast<thread_start*>(p);
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(start.fn(start.arg)));
}

int c11_result(int pthread_error) {
  switch (pthread_error) {
    case 0:
      return thrd_success;
    case EBUSY:
      return thrd_busy;
    case ETIMEDOUT:
      return thrd_timedout;
    case ENOMEM:
      return thrd_nomem;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* native(mtx_t* m) {
  return reinterpret_cast<pthread_mutex_t*>(m);
}

pthread_cond_t* native(cnd_t* c) {
  return reinterpret_cast<pthread_cond_t*>(c);
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thr, thrd_start_t fn, void* arg) {
  auto* start = new (std::nothrow) thread_start{fn, arg};
  if (start == nullptr) return thrd_nomem;
  const int rc = pthread_create(thr, nullptr, &run_c11_thread, start);
  if (rc != 0) delete start;
  return c11_result(rc);
}

int thrd_join(thrd_t thr, int* res) {
  void* value = nullptr;
  const int rc = pthread_join(thr, &value);
  if (rc == 0 && res != nullptr) *res = static_cast<int>(reinterpret_cast<std::intptr_t>(value));
  return c11_result(rc);
}

int thrd_detach(thrd_t thr) {
  return c11_result(pthread_detach(thr));
}

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if ((type & mtx_recursive) != 0) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  const int rc = pthread_mutex_init(native(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return c11_result(rc);
}

int mtx_lock(mtx_t* m) {
  return c11_result(pthread_mutex_lock(native(m)));
}

int mtx_trylock(mtx_t* m) {
  return c11_result(pthread_mutex_trylock(native(m)));
}

int mtx_timedlock(mtx_t* __restrict m, const struct timespec* __restrict deadline) {
  return c11_result(pthread_mutex_timedlock(native(m), deadline));
}

int mtx_unlock(mtx_t* m) {
  return c11_result(pthread_mutex_unlock(native(m)));
}

void mtx_destroy(mtx_t* m) {
  pthread_mutex_destroy(native(m));
}

int cnd_init(cnd_t* c) {
  return c11_result(pthread_cond_init(native(c), nullptr));
}

int cnd_signal(cnd_t* c) {
  return c11_result(pthread_cond_signal(native(c)));
}

int cnd_broadcast(cnd_t* c) {
  return c11_result(pthread_cond_broadcast(native(c)));
}

int cnd_wait(cnd_t* c, mtx_t* m) {
  return c11_result(pthread_cond_wait(native(c), native(m)));
}

int cnd_timedwait(cnd_t* __restrict c, mtx_t* __restrict m,
                  const struct timespec* __restrict deadline) {
  return c11_result(pthread_cond_timedwait(native(c), native(m), deadline));
}

void cnd_destroy(cnd_t* c) {
  pthread_cond_destroy(native(c));
}

void call_once(once_flag* flag, void (*fn)(void)) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), fn);
}

}  // extern "C"
