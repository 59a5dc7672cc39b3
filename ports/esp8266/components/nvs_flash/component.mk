# A C stand-in for the SDK's nvs_flash (C++, which Debian's xtensa compiler cannot build): the calls the WiFi and PHY
# libraries make, kept in RAM for the current boot.
COMPONENT_ADD_INCLUDEDIRS := include
COMPONENT_SRCDIRS := .
