# Every library and test is built twice: plainly, and with AddressSanitizer + UndefinedBehaviorSanitizer
# (suffix _san). Both variants of each test are registered with ctest, so one `ctest` run covers both.
# A third variant of each library (suffix _esp8266_sizes) has the core's buffers sized as on the ESP8266
# (ports/esp8266/main/esp8266_sizes.h); it is built only for the executables that ask for it (ESP8266_SIZES), so
# that the daemon's tests can run the service and the API with the device's sizes.
# A fourth (suffix _tsan) is built with ThreadSanitizer, also only for the executables that ask for it (TSAN): the
# daemon, whose network and job threads share the service, runs some of its tests as airswdd_tsan.
set(AIRSWD_ESP8266_SIZES ${PROJECT_SOURCE_DIR}/ports/esp8266/main/esp8266_sizes.h)
set(AIRSWD_LIBRARY_VARIANTS "" "_san" "_esp8266_sizes" "_tsan")

set(AIRSWD_WARNINGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef
    -Wpointer-arith -Wvla -Wformat=2)
set(AIRSWD_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
set(AIRSWD_THREAD_SANITIZE -fsanitize=thread -fno-omit-frame-pointer -O1 -g)

# airswd_library(NAME SOURCES <files...> [INCLUDE <dirs...>] [LINK <libs...>] [SYSTEM_LINK <libs...>])
# LINK names other airswd libraries (their _san twin is used by the _san variant); SYSTEM_LINK is used as is.
function(airswd_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;INCLUDE;LINK;SYSTEM_LINK" ${ARGN})
  foreach(variant IN LISTS AIRSWD_LIBRARY_VARIANTS)
    set(target ${name}${variant})
    add_library(${target} STATIC ${ARG_SOURCES})
    target_include_directories(${target} PUBLIC ${ARG_INCLUDE})
    target_compile_options(${target} PRIVATE ${AIRSWD_WARNINGS})
    foreach(lib ${ARG_LINK})
      target_link_libraries(${target} PUBLIC ${lib}${variant})
    endforeach()
    target_link_libraries(${target} PUBLIC ${ARG_SYSTEM_LINK})
    if(variant STREQUAL "_san")
      target_compile_options(${target} PUBLIC ${AIRSWD_SANITIZE})
      target_link_options(${target} PUBLIC ${AIRSWD_SANITIZE})
    elseif(variant STREQUAL "_esp8266_sizes")
      target_compile_options(${target} PUBLIC -include ${AIRSWD_ESP8266_SIZES})
      set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
    elseif(variant STREQUAL "_tsan")
      target_compile_options(${target} PUBLIC ${AIRSWD_THREAD_SANITIZE})
      target_link_options(${target} PUBLIC ${AIRSWD_THREAD_SANITIZE})
      set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
    endif()
  endforeach()
endfunction()

# airswd_executable(NAME [ESP8266_SIZES] [TSAN] SOURCES <files...> [LINK <airswd libs...>] [SYSTEM_LINK <libs...>]):
# the plain variant, with ESP8266_SIZES also NAME_esp8266_sizes on the libraries' _esp8266_sizes variant, and with
# TSAN also NAME_tsan on their _tsan variant.
function(airswd_executable name)
  cmake_parse_arguments(ARG "ESP8266_SIZES;TSAN" "" "SOURCES;LINK;SYSTEM_LINK" ${ARGN})
  set(extra "")
  if(ARG_ESP8266_SIZES)
    list(APPEND extra _esp8266_sizes)
  endif()
  if(ARG_TSAN)
    list(APPEND extra _tsan)
  endif()
  foreach(variant IN ITEMS "" ${extra})
    set(target ${name}${variant})
    add_executable(${target} ${ARG_SOURCES})
    target_compile_options(${target} PRIVATE ${AIRSWD_WARNINGS})
    foreach(lib ${ARG_LINK})
      target_link_libraries(${target} PRIVATE ${lib}${variant})
    endforeach()
    target_link_libraries(${target} PRIVATE ${ARG_SYSTEM_LINK})
  endforeach()
endfunction()

# airswd_test(NAME SOURCES <files...> [LINK <airswd libs...>] [SYSTEM_LINK <libs...>] [INCLUDE <dirs...>]
#             [TIMEOUT s] [LABELS ...] [HOST_ONLY])
# Registers NAME and NAME.san with ctest. A test exits 77 to report "skipped" after printing why.
# The unit tests of tests/unit that link the core and nothing else are listed in the global property
# AIRSWD_CORE_UNIT_TESTS: tests/lx106 builds them for the ESP8266's CPU too (with the same selection), but for the
# HOST_ONLY ones, which test what the ESP8266 build leaves out.
function(airswd_test name)
  cmake_parse_arguments(ARG "HOST_ONLY" "TIMEOUT" "SOURCES;LINK;SYSTEM_LINK;INCLUDE;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(CMAKE_CURRENT_SOURCE_DIR STREQUAL "${PROJECT_SOURCE_DIR}/tests/unit" AND ARG_LINK STREQUAL "airswd_core"
     AND NOT ARG_SYSTEM_LINK AND NOT ARG_HOST_ONLY)
    set_property(GLOBAL APPEND PROPERTY AIRSWD_CORE_UNIT_TESTS ${name})
  endif()
  foreach(variant "" "_san")
    set(target test_${name}${variant})
    add_executable(${target} ${ARG_SOURCES})
    target_compile_options(${target} PRIVATE ${AIRSWD_WARNINGS})
    foreach(lib ${ARG_LINK})
      target_link_libraries(${target} PRIVATE ${lib}${variant})
    endforeach()
    target_link_libraries(${target} PRIVATE ${ARG_SYSTEM_LINK} ${CMOCKA_LIBRARY})
    target_include_directories(${target} PRIVATE ${CMOCKA_INCLUDE_DIR} ${PROJECT_SOURCE_DIR}/tests/common ${ARG_INCLUDE})
    if(variant STREQUAL "_san")
      target_compile_options(${target} PRIVATE ${AIRSWD_SANITIZE})
      target_link_options(${target} PRIVATE ${AIRSWD_SANITIZE})
      set(test_name ${name}.san)
    else()
      set(test_name ${name})
    endif()
    add_test(NAME ${test_name} COMMAND ${target} WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(${test_name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} SKIP_RETURN_CODE 77 LABELS "${ARG_LABELS}"
                         ENVIRONMENT "AIRSWD_SOURCE_DIR=${PROJECT_SOURCE_DIR};AIRSWD_BINARY_DIR=${PROJECT_BINARY_DIR}")
  endforeach()
endfunction()
