# FindCAF.cmake: locate the C++ Actor Framework 0.17 as packaged by Debian (libcaf-dev).
#
# CAF 0.17 installs neither a CMake package config nor a pkg-config file, so this module looks for
# the headers and the shared libraries itself. (CAF >= 0.18 ships CAFConfig.cmake; the target
# names created here are the ones that config uses, so consumers do not need to care.)
#
#   find_package(CAF [version] [REQUIRED] [COMPONENTS core io openssl])
#
# Components (default: core). A component pulls in the ones it builds on:
#   core     libcaf_core                                  -> CAF::core     (links Threads::Threads)
#   io       libcaf_io      (network layer, middleman)    -> CAF::io       (links CAF::core)
#   openssl  libcaf_openssl (TLS for the middleman)       -> CAF::openssl  (links CAF::io and
#                                                            OpenSSL::SSL, whose headers it uses)
#
# Result variables:
#   CAF_FOUND, CAF_<component>_FOUND, CAF_VERSION (e.g. 0.17.6), CAF_INCLUDE_DIRS, CAF_LIBRARIES
# Cache variables:
#   CAF_INCLUDE_DIR, CAF_<component>_LIBRARY
# Hints: CAF_ROOT (CMake's <PackageName>_ROOT mechanism) or CMAKE_PREFIX_PATH.

include(FindPackageHandleStandardArgs)

set(_caf_known_components core io openssl)

# Requested components, completed with their prerequisites, in dependency order.
set(_caf_requested ${CAF_FIND_COMPONENTS})
if(NOT _caf_requested)
  set(_caf_requested core)
endif()
foreach(_caf_c IN LISTS _caf_requested)
  if(NOT _caf_c IN_LIST _caf_known_components)
    # Leave CAF_<c>_FOUND unset: find_package_handle_standard_args then reports it as missing
    # when it was required.
    if(NOT CAF_FIND_QUIETLY)
      message(STATUS "FindCAF: unknown component '${_caf_c}' (known: ${_caf_known_components})")
    endif()
  endif()
endforeach()
set(_caf_components "")
foreach(_caf_c IN LISTS _caf_known_components)
  set(_caf_wanted FALSE)
  if(_caf_c IN_LIST _caf_requested)
    set(_caf_wanted TRUE)
  elseif(_caf_c STREQUAL "core" AND ("io" IN_LIST _caf_requested OR "openssl" IN_LIST _caf_requested))
    set(_caf_wanted TRUE)
  elseif(_caf_c STREQUAL "io" AND "openssl" IN_LIST _caf_requested)
    set(_caf_wanted TRUE)
  endif()
  if(_caf_wanted)
    list(APPEND _caf_components ${_caf_c})
  endif()
endforeach()

# Headers and version (caf/config.hpp: #define CAF_VERSION 1706 -> 0.17.6).
find_path(CAF_INCLUDE_DIR NAMES caf/all.hpp caf/config.hpp DOC "Directory that holds caf/all.hpp")
unset(CAF_VERSION)
if(CAF_INCLUDE_DIR AND EXISTS "${CAF_INCLUDE_DIR}/caf/config.hpp")
  file(STRINGS "${CAF_INCLUDE_DIR}/caf/config.hpp" _caf_version_line
       REGEX "^#define[ \t]+CAF_VERSION[ \t]+[0-9]+")
  if(_caf_version_line MATCHES "CAF_VERSION[ \t]+([0-9]+)")
    math(EXPR _caf_major "${CMAKE_MATCH_1} / 10000")
    math(EXPR _caf_minor "(${CMAKE_MATCH_1} / 100) % 100")
    math(EXPR _caf_patch "${CMAKE_MATCH_1} % 100")
    set(CAF_VERSION "${_caf_major}.${_caf_minor}.${_caf_patch}")
  endif()
endif()

# Libraries: libcaf_<component>.so
foreach(_caf_c IN LISTS _caf_components)
  find_library(CAF_${_caf_c}_LIBRARY NAMES caf_${_caf_c} DOC "Path to libcaf_${_caf_c}")
  mark_as_advanced(CAF_${_caf_c}_LIBRARY)
  if(CAF_${_caf_c}_LIBRARY)
    set(CAF_${_caf_c}_FOUND TRUE)
  else()
    set(CAF_${_caf_c}_FOUND FALSE)
  endif()
endforeach()

# Dependencies of the imported targets. OpenSSL only matters for the openssl component; without
# it that component counts as not found.
set(_caf_threads_found FALSE)
if(CAF_INCLUDE_DIR AND CAF_core_LIBRARY)
  find_package(Threads QUIET)
  set(_caf_threads_found ${Threads_FOUND})
endif()
if("openssl" IN_LIST _caf_components AND CAF_openssl_FOUND)
  find_package(OpenSSL QUIET)
  if(NOT OpenSSL_FOUND AND NOT OPENSSL_FOUND)
    set(CAF_openssl_FOUND FALSE)
  endif()
endif()
# A component is only usable when what it links to is there too.
if(NOT CAF_core_FOUND OR NOT _caf_threads_found)
  foreach(_caf_c IN LISTS _caf_components)
    set(CAF_${_caf_c}_FOUND FALSE)
  endforeach()
elseif(CAF_openssl_FOUND AND NOT CAF_io_FOUND)
  set(CAF_openssl_FOUND FALSE)
endif()

find_package_handle_standard_args(CAF
  REQUIRED_VARS CAF_INCLUDE_DIR CAF_core_LIBRARY
  VERSION_VAR CAF_VERSION
  HANDLE_COMPONENTS)
mark_as_advanced(CAF_INCLUDE_DIR)

if(CAF_FOUND)
  set(CAF_INCLUDE_DIRS "${CAF_INCLUDE_DIR}")
  set(CAF_LIBRARIES "")
  foreach(_caf_c IN LISTS _caf_components)
    if(NOT CAF_${_caf_c}_FOUND)
      continue()
    endif()
    list(APPEND CAF_LIBRARIES "${CAF_${_caf_c}_LIBRARY}")
    if(TARGET CAF::${_caf_c})
      continue()
    endif()
    if(_caf_c STREQUAL "core")
      set(_caf_deps Threads::Threads)
    elseif(_caf_c STREQUAL "io")
      set(_caf_deps CAF::core)
    else()
      set(_caf_deps CAF::io OpenSSL::SSL)
    endif()
    add_library(CAF::${_caf_c} UNKNOWN IMPORTED)
    set_target_properties(CAF::${_caf_c} PROPERTIES
      IMPORTED_LOCATION "${CAF_${_caf_c}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "${_caf_deps}")
  endforeach()
endif()

unset(_caf_known_components)
unset(_caf_requested)
unset(_caf_components)
unset(_caf_wanted)
unset(_caf_c)
unset(_caf_deps)
unset(_caf_threads_found)
unset(_caf_version_line)
unset(_caf_major)
unset(_caf_minor)
unset(_caf_patch)
