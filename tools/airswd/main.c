/*
 * main.c - the airswd command line.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: airswd [--target TARGET] [--swclk HZ] [--trace FILE.vcd] [--json] COMMAND [ARGS]\n"
            "       airswd --device http://HOST:PORT [--passphrase-file FILE] [--json] COMMAND [ARGS]\n"
            "\n"
            "targets:\n"
            "  sim[:PART[,state=FILE][,swclk=HZ]]  a simulated STM32 (default sim:stm32f103c8); state=FILE keeps\n"
            "                                      its flash and option bytes in FILE between runs\n"
            "      ,uart | ,auto [,baud=N]         through its ROM bootloader on USART1, or SWD and that when SWD\n"
            "                                      does not answer (docs/uart.md); console=FILE, swd=off\n"
            "  serial:PATH[,baud=N][,pins=dtr-rts] the ROM bootloader on a serial port (DTR NRST, RTS BOOT0)\n"
            "  unwired      SWD pins with nothing attached (to see how failures are reported)\n"
            "\n"
            "commands:\n"
            "  probe [ADDRESS [WORDS]]        identify the debug port and access port, read memory\n"
            "  info                           identify the part: line, core, flash, read protection\n"
            "  flash FILE [--base ADDR] [--no-verify] [--no-reset] [--skip-unchanged] [--connect-under-reset]\n"
            "                                 erase what the image touches, program, verify, run it;\n"
            "                                 --skip-unchanged leaves erase units that already hold the image\n"
            "  verify FILE [--base ADDR]      compare the flash with an image\n"
            "  read ADDRESS LENGTH -o FILE    copy target memory into a file\n"
            "  erase [--mass]                 erase the whole flash\n"
            "  reset [--nrst]                 reset the part and let it run\n"
            "  option-bytes                   show read protection, user bits and write-protected erase units\n"
            "  option-bytes --set rdp=1|wrp=none|wrp=all|wrp=UNIT-UNIT ...\n"
            "                                 program them and load them (the part is reset); rdp=2 is refused\n"
            "  unlock --yes                   remove read protection (level 1 -> 0): the chip erases its flash\n"
            "\n"
            "signed containers (no target; docs/image-format.md):\n"
            "  keygen -o KEY.pem [--pub PUB.pem]   new P-256 signing key (private key mode 0600)\n"
            "  keygen --aes -o KEY.hex            new AES-128 image key\n"
            "  sign --key KEY.pem --version N --target PART [--target PART...] [--base ADDR]\n"
            "       [--encrypt-key KEY.hex] FILE -o OUT\n"
            "                                 put FILE in a container signed for PART (e.g. stm32f103c8)\n"
            "  sign --key KEY.pem --version N --target esp8266 FIRMWARE.bin -o OUT\n"
            "                                 sign the programmer's own firmware (build/esp8266/4mb/airswd.bin)\n"
            "  sign --pub PUB.pem ... FILE -o UNSIGNED --header-out HEADER.bin\n"
            "                                 for an external signer: `openssl dgst -sha256 -sign KEY.pem\n"
            "                                 -out SIG.der HEADER.bin`, then sign --attach SIG.der UNSIGNED -o OUT\n"
            "  inspect [--pub PUB.pem] FILE   print the header; with --pub, check the signature\n"
            "\n"
            "through --device (the admin passphrase from --passphrase-file or $AIRSWD_PASSPHRASE):\n"
            "  flash, verify, info, read, erase, reset   as above, run by the device\n"
            "  flash FILE --no-rollback       when the device's store has no room for FILE beside its rollback\n"
            "                                 copy: give that copy up (without it the device refuses, HTTP 507)\n"
            "  setup --code CODE [--signing-key PUB.pem] [--image-key KEY.hex]\n"
            "                                 first-boot setup with the code the device showed at start: the\n"
            "                                 passphrase (12 characters or more) becomes the admin's; images\n"
            "                                 signed by PUB.pem are trusted\n"
            "  debug on|off                   debug mode: unsigned images and memory reads allowed\n"
            "  trust PUB.pem, untrust KEY-ID  add or remove a trusted signing key\n"
            "  auth-header METHOD PATH [BODY-FILE]\n"
            "                                 print an Authorization header for one request (for curl)\n"
            "  update-firmware FIRMWARE.airswd\n"
            "                                 the programmer's own firmware, signed for esp8266: checked by the\n"
            "                                 device, which restarts into it on trial\n"
            "  board [--wifi SSID] [--wifi-password-file FILE] [--pin-swclk N] [--pin-swdio N]\n"
            "        [--pin-nrst N|none] [--pin-boot0 N|none]\n"
            "                                 an ESP8266's WiFi network and pins: shown, after changing those given\n"
            "\n"
            "FILE is Intel HEX, ELF or a raw binary (at --base, 0x08000000 by default). Exit status: 0 success,\n"
            "1 the operation failed, 2 bad command line.\n");
}

int main(int argc, char **argv)
{
    struct cli_options options = {.target = "sim"};
    static const struct option long_options[] = {
        {"target", required_argument, NULL, 't'}, {"swclk", required_argument, NULL, 's'},
        {"trace", required_argument, NULL, 'v'},  {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},         {"device", required_argument, NULL, 'd'},
        {"passphrase-file", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    int option;
    while ((option = getopt_long(argc, argv, "+t:h", long_options, NULL)) != -1) {
        switch (option) {
        case 't': options.target = optarg; break;
        case 's': {
            char *end;
            unsigned long hz = strtoul(optarg, &end, 0);
            if (*end != '\0' || hz == 0 || hz > 100000000ul) {
                fprintf(stderr, "airswd: --swclk wants a frequency in Hz, 1 to 100000000\n");
                return 2;
            }
            options.swclk_hz = (uint32_t)hz;
            break;
        }
        case 'v': options.trace_path = optarg; break;
        case 'j': options.json = true; break;
        case 'd': options.device = optarg; break;
        case 'p': options.passphrase_file = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *command = argv[optind];
    if (options.device != NULL)
        return cli_remote_main(options.device, &options, command, argc - optind - 1, argv + optind + 1);
    static const struct {
        const char *name;
        int (*run)(const struct cli_options *options, int argc, char **argv);
    } host_commands[] = {{"keygen", cmd_keygen}, {"sign", cmd_sign}, {"inspect", cmd_inspect}};
    for (size_t i = 0; i < sizeof host_commands / sizeof host_commands[0]; i++)
        if (strcmp(command, host_commands[i].name) == 0)
            return host_commands[i].run(&options, argc - optind - 1, argv + optind + 1);
    static const struct {
        const char *name;
        int (*run)(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
                   char **argv);
    } commands[] = {
        {"probe", cmd_probe}, {"info", cmd_info}, {"flash", cmd_flash}, {"verify", cmd_flash},
        {"read", cmd_read},   {"erase", cmd_erase}, {"reset", cmd_reset},
        {"option-bytes", cmd_option_bytes}, {"unlock", cmd_unlock},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(command, commands[i].name) != 0)
            continue;
        port_host_catch_interrupts();
        struct cli_target target;
        if (!cli_target_open(&target, &options))
            return 2;
        int result = commands[i].run(&target, &options, command, argc - optind - 1, argv + optind + 1);
        if (!cli_target_close(&target) && result == 0)
            result = 1; /* the chip's state, which the next command would act on, is not what it did */
        return result;
    }
    fprintf(stderr, "airswd: unknown command '%s'\n", command);
    usage(stderr);
    return 2;
}
