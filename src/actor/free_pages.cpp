// SPDX-License-Identifier: MIT
#include "free_pages.hpp"

#include <cstdlib>  // also brings <features.h>, which says whether this is glibc

#if defined(__GLIBC__)
#include <dlfcn.h>
#include <malloc.h>
#endif

namespace hollywood::actor::detail {

bool give_free_pages_back() noexcept {
#if defined(__GLIBC__)
  // malloc_trim works on glibc's own heaps. When another allocator took malloc's place (a
  // sanitizer's, jemalloc, tcmalloc), those heaps were never set up, and two threads trimming
  // at once both set them up and break glibc's arena accounting (a crash at thread exit, seen
  // under AddressSanitizer). glibc's malloc is an alias of __libc_malloc; any other is not.
  static const bool glibc_malloc =
      reinterpret_cast<void*>(&::malloc) == ::dlsym(RTLD_DEFAULT, "__libc_malloc");
  if (glibc_malloc) {
    (void)::malloc_trim(0);
    return true;
  }
#endif
  return false;
}

}  // namespace hollywood::actor::detail
