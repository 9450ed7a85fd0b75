# Warnings and sanitizers are set per target, never through global flags.
function(trainsim_configure_target target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                             -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast)
    if(TRAINSIM_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(TRAINSIM_FUZZ)  # coverage for libFuzzer; the harness links -fsanitize=fuzzer itself
      target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                                               -fno-sanitize-recover=undefined)
      target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    elseif(TRAINSIM_SANITIZE)
      target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                               -fno-sanitize-recover=undefined)
      target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
  endif()
endfunction()

# A library target trainsim::<name> built from the listed sources, with the repository root as
# its include root so that headers are included as "core/units.hpp".
function(trainsim_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(trainsim_${name} STATIC ${ARG_SOURCES})
  add_library(trainsim::${name} ALIAS trainsim_${name})
  target_include_directories(trainsim_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(trainsim_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  trainsim_configure_target(trainsim_${name})
endfunction()
