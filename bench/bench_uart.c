/*
 * bench_uart.c - flashing through the ROM bootloader (AN3155) on the simulated chip's USART1, in simulated chip
 * time: a random 64 KB image at 115200 baud 8E1, where every byte costs 11 bit times on the line.
 *
 * The floor of the program phase is, for each Write Memory block, its bytes on the line (command and complement,
 * ACK, address and checksum, ACK, N-1, the data, checksum, ACK: 268 bytes for 256 bytes of data) plus the flash's
 * typical programming time of the block's units (the part's tPROG). The ratio chip time / floor shows what the
 * client adds: turnarounds, waits, retries. The whole job (erase + program + read-back verify) is printed too; the
 * comparison with stm32flash on the same part is bench_uart_stm32flash.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/job.h"
#include "memory_job_file.h"
#include "port_sim.h"
#include "port_sim_uart.h"
#include "sim_stm32.h"

#define IMAGE_SIZE (64u * 1024u)
#define BAUD 115200u
#define GOAL_RATIO 1.05
/* Bytes on the line for one full Write Memory block besides its data. */
#define WRITE_OVERHEAD_BYTES 12u

struct image {
    uint8_t bytes[IMAGE_SIZE];
};

static double floor_seconds(const struct sim_part *part, uint32_t size)
{
    uint32_t blocks = (size + UARTBOOT_BLOCK - 1) / UARTBOOT_BLOCK;
    double line = (double)(size + blocks * WRITE_OVERHEAD_BYTES) * 11.0 / BAUD;
    double flash = (double)size / part->program_unit * part->program_ns / 1e9;
    return line + flash;
}

static bool bench_part(const char *name, const struct image *image)
{
    static struct port_sim_uart link;
    static struct job job;
    struct sim_stm32 *chip = sim_stm32_create(name, 0);
    if (chip == NULL)
        return false;
    struct port_sim port;
    port_sim_init(&port, chip->target, true);
    port_sim_wire_boot0(&port, chip);
    port_sim_uart_init(&link, chip);
    struct status_report report = {0};
    const struct job_link job_link = {.system = &port.system, .pins = &port.pins, .transport = JOB_TRANSPORT_UART,
                                      .uart = &link.uart, .uart_baud = BAUD};
    struct memory_job_file memory = {.bytes = image->bytes, .size = IMAGE_SIZE};
    const struct job_file file = memory_job_file(&memory);
    const struct job_options options = {.action = JOB_ACTION_FLASH, .format = IMAGE_FORMAT_BIN, .verify = true,
                                        .reset_after = false};
    job_init(&job, &job_link, &file, &options, &report);
    enum status status = job_run(&job);
    bool same = memcmp(sim_flash_array(chip->flash), image->bytes, IMAGE_SIZE) == 0;
    if (status != STATUS_OK || !same) {
        char text[256];
        fprintf(stderr, "bench_uart: %s: %s\n", name, status != STATUS_OK ? status_format(&report, text, sizeof text)
                                                                         : "the flash differs from the image");
        sim_stm32_destroy(chip);
        return false;
    }
    const struct job_result *result = &job.result;
    double program = (double)result->phase_us[JOB_PHASE_PROGRAM] / 1e6;
    double floor = floor_seconds(chip->part, IMAGE_SIZE);
    printf("uart %-12s %u KB at %u baud 8E1: program %.3f s chip time, floor %.3f s (line + tPROG), ratio %.3f "
           "(goal <= %.2f)\n",
           name, IMAGE_SIZE / 1024u, BAUD, program, floor, program / floor, GOAL_RATIO);
    printf("uart %-12s %u KB whole job: erase %.3f s, program %.3f s, verify %.3f s, total %.3f s chip time\n", name,
           IMAGE_SIZE / 1024u, (double)result->phase_us[JOB_PHASE_ERASE] / 1e6, program,
           (double)result->phase_us[JOB_PHASE_VERIFY] / 1e6, (double)result->total_us / 1e6);
    sim_stm32_destroy(chip);
    return true;
}

int main(void)
{
    static struct image image;
    srand(20261206);
    for (uint32_t i = 0; i < IMAGE_SIZE; i++)
        image.bytes[i] = (uint8_t)rand();
    bool ok = true;
    const char *parts[] = {"stm32f103c8", "stm32f411ce", "stm32g071rb"};
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++)
        ok = bench_part(parts[i], &image) && ok;
    return ok ? 0 : 1;
}
