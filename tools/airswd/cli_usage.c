/*
 * cli_usage.c - what `airswd --help` and `airswd COMMAND --help` print: one entry per command, so that the whole
 * list and each command's own help are the same text.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct usage_entry {
    const char *command;
    const char *section; /* the heading it is listed under */
    const char *text;    /* its synopsis and what it does, indented as the list prints it */
};

static const char section_target[] = "commands on a target (local, or through --device where marked *):";
static const char section_host[] = "signed containers (no target; docs/image-format.md):";
static const char section_network[] = "devices on the local network:";
static const char section_device[] = "only through --device (the admin passphrase from --passphrase-file or "
                                     "$AIRSWD_PASSPHRASE):";

static const struct usage_entry entries[] = {
    {"probe", section_target,
     "  probe [ADDRESS [WORDS]]        identify the debug port and access port, read memory (read only)\n"},
    {"info", section_target,
     "* info                           identify the part: line, core, flash, read protection\n"},
    {"flash", section_target,
     "* flash FILE [--format bin|hex|elf|container] [--base ADDR] [--no-verify] [--no-reset] [--skip-unchanged]\n"
     "        [--connect-under-reset] [--no-rollback]\n"
     "                                 erase what the image touches, program, verify, run it; --skip-unchanged\n"
     "                                 leaves erase units that already hold the image; --connect-under-reset is\n"
     "                                 local (a device's setting: settings connect_under_reset=true); --no-rollback\n"
     "                                 is through --device: when its store has no room for FILE beside its rollback\n"
     "                                 copy, give that copy up (without it the device refuses, HTTP 507)\n"},
    {"verify", section_target,
     "* verify FILE [--format bin|hex|elf|container] [--base ADDR] [--connect-under-reset]\n"
     "                                 compare the flash with an image\n"},
    {"read", section_target, "* read ADDRESS LENGTH -o FILE    copy target memory into a file\n"},
    {"erase", section_target,
     "* erase [--mass]                 erase the whole flash the quickest way (one mass erase where it is\n"
     "                                 quicker than unit by unit); --mass: one mass erase in any case\n"},
    {"reset", section_target, "* reset [--nrst]                 reset the part and let it run\n"},
    {"option-bytes", section_target,
     "  option-bytes                   show read protection, user bits and write-protected erase units\n"
     "  option-bytes --set rdp=1|wrp=none|wrp=all|wrp=UNIT-UNIT ...\n"
     "                                 program them and load them (the part is reset); rdp=2 is refused\n"},
    {"unlock", section_target,
     "  unlock --yes                   remove read protection (level 1 -> 0): the chip erases its flash\n"},
    {"keygen", section_host,
     "  keygen -o KEY.pem [--pub PUB.pem]   new P-256 signing key (private key mode 0600)\n"
     "  keygen --aes -o KEY.hex            new AES-128 image key\n"},
    {"sign", section_host,
     "  sign --key KEY.pem --version N --target PART [--target PART...] [--format F] [--base ADDR]\n"
     "       [--encrypt-key KEY.hex] FILE -o OUT\n"
     "                                 put FILE in a container signed for PART (e.g. stm32f103c8)\n"
     "  sign --key KEY.pem --version N --target esp8266 FIRMWARE.bin -o OUT\n"
     "                                 sign the programmer's own firmware (build/esp8266/4mb/airswd.bin)\n"
     "  sign --pub PUB.pem ... FILE -o UNSIGNED --header-out HEADER.bin\n"
     "                                 for an external signer: `openssl dgst -sha256 -sign KEY.pem\n"
     "                                 -out SIG.der HEADER.bin`, then sign --attach SIG.der UNSIGNED -o OUT\n"},
    {"inspect", section_host, "  inspect [--pub PUB.pem] FILE   print the header; with --pub, check the signature\n"},
    {"list", section_network,
     "  list [--timeout SECONDS] [--mdns-server ADDRESS:PORT]\n"
     "                                 the airswd devices that answer mDNS (_http._tcp with airswd=VERSION in\n"
     "                                 their TXT), one line each: name, host, URL, version; --timeout: how long\n"
     "                                 answers are collected (default 2); --mdns-server: ask that responder by\n"
     "                                 unicast instead of the multicast group 224.0.0.251:5353\n"},
    {"setup", section_device,
     "  setup --code CODE [--signing-key PUB.pem] [--image-key KEY.hex]\n"
     "                                 first-boot setup with the code the device showed at start: the\n"
     "                                 passphrase (12 characters or more) becomes the admin's; images\n"
     "                                 signed by PUB.pem are trusted\n"},
    {"debug", section_device,
     "  debug on|off                   debug mode: unsigned images and memory reads allowed\n"},
    {"settings", section_device,
     "  settings [KEY=VALUE...]        the device's settings and trusted key ids, shown after changing those\n"
     "                                 given: swclk_hz=HZ, connect_under_reset=true|false, verify=true|false,\n"
     "                                 public_status=true|false, transport=swd|uart|auto\n"},
    {"trust", section_device,
     "  trust PUB.pem                  trust the images a key signs (settings lists the trusted key ids)\n"},
    {"untrust", section_device, "  untrust KEY-ID                 stop trusting a signing key (16 hex digits)\n"},
    {"image-key", section_device,
     "  image-key KEY.hex              install or replace the key of encrypted containers (keygen --aes)\n"},
    {"auth-header", section_device,
     "  auth-header METHOD PATH [BODY-FILE]\n"
     "                                 print an Authorization header for one request (for curl)\n"},
    {"update-firmware", section_device,
     "  update-firmware FIRMWARE.airswd\n"
     "                                 the programmer's own firmware, signed for esp8266: checked by the\n"
     "                                 device, which restarts into it on trial\n"},
    {"board", section_device,
     "  board [--wifi SSID] [--wifi-password-file FILE] [--pin-swclk N] [--pin-swdio N]\n"
     "        [--pin-nrst N|none] [--pin-boot0 N|none]\n"
     "                                 an ESP8266's WiFi network and pins: shown, after changing those given\n"},
};

static const char head[] =
    "usage: airswd [--target TARGET] [--swclk HZ] [--trace FILE.vcd] [--json] COMMAND [ARGS]\n"
    "       airswd --device [http://]HOST:PORT [--passphrase-file FILE] [--json] COMMAND [ARGS]\n"
    "       airswd --version | --help | COMMAND --help\n"
    "\n"
    "targets:\n"
    "  sim[:PART[,state=FILE][,swclk=HZ]]  a simulated STM32 (default sim:stm32f103c8); state=FILE keeps\n"
    "                                      its flash and option bytes in FILE between runs\n"
    "      ,uart | ,auto [,baud=N]         through its ROM bootloader on USART1, or SWD and that when SWD\n"
    "                                      does not answer (docs/uart.md); console=FILE, swd=off\n"
    "  serial:PATH[,baud=N][,pins=dtr-rts] the ROM bootloader on a serial port (DTR NRST, RTS BOOT0)\n"
    "  unwired      SWD pins with nothing attached (to see how failures are reported)\n"
    "--target, --swclk and --trace are for a local target: with --device the device's own target and clock are\n"
    "used (airswd --device URL settings swclk_hz=HZ changes its clock).\n";

static const char tail[] =
    "\n"
    "FILE is Intel HEX, ELF or a raw binary (at --base, 0x08000000 by default). --json: one JSON object on stdout,\n"
    "whatever happens (failures: {\"ok\":false,\"error\":{...}}). Exit status: 0 done, 1 the operation failed,\n"
    "2 bad command line (a file named on it that cannot be opened included).\n";

void cli_usage(FILE *out)
{
    fputs(head, out);
    const char *section = NULL;
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        if (entries[i].section != section) {
            section = entries[i].section;
            fprintf(out, "\n%s\n", section);
        }
        fputs(entries[i].text, out);
    }
    fputs(tail, out);
}

bool cli_usage_command(FILE *out, const char *command)
{
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        if (strcmp(entries[i].command, command) != 0)
            continue;
        fprintf(out, "usage: airswd [GLOBAL OPTIONS] %s ...   (airswd --help lists the global options)\n%s\n%s",
                command, entries[i].section, entries[i].text);
        return true;
    }
    return false;
}
