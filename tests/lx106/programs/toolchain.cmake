# The ESP8266's CPU (Tensilica L106) with Debian's xtensa-lx106-elf-gcc, for tests/lx106/programs. No libc is
# implied: the project adds the bundle's newlib itself (Debian's default one is picolibc, which the firmware does
# not link).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR xtensa)
set(CMAKE_C_COMPILER xtensa-lx106-elf-gcc)
set(CMAKE_ASM_COMPILER xtensa-lx106-elf-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
