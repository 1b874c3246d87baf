# HOLLYWOOD_SANITIZERS ("address,undefined", "thread", ...) applies to every target in the tree.
if(HOLLYWOOD_SANITIZERS)
  set(_san "-fsanitize=${HOLLYWOOD_SANITIZERS}")
  add_compile_options(${_san} -fno-omit-frame-pointer)
  add_link_options(${_san})
  if(HOLLYWOOD_SANITIZERS MATCHES "thread")
    # GCC cannot see through atomic_thread_fence under TSan; the fences used here pair with atomics.
    add_compile_options($<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
  endif()
endif()
if(HOLLYWOOD_RUNTIME_CHECKS)
  add_compile_definitions(HOLLYWOOD_ENABLE_RUNTIME_CHECKS=1)
endif()
