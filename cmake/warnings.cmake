# Project-internal warning flags: linked PRIVATE, so they never reach consumers.
add_library(hollywood_warnings INTERFACE)
target_compile_options(hollywood_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wno-interference-size>)
