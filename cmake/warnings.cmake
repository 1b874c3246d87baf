# Project-internal warning flags, applied PRIVATE so they never reach consumers.
set(HOLLYWOOD_WARNING_FLAGS
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wno-interference-size>)
# For tests, tools, examples and benchmarks (never exported).
add_library(hollywood_warnings INTERFACE)
target_compile_options(hollywood_warnings INTERFACE ${HOLLYWOOD_WARNING_FLAGS})
