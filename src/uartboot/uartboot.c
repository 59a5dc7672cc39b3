/*
 * uartboot.c - the AN3155 commands, each an exchange repeated when the line loses or garbles a byte (uartboot.h).
 */
#include "uartboot/uartboot_internal.h"

#include <stdio.h>
#include <string.h>

/* AN3155 command codes. The simulator's model of the ROM (sim/sim_bootloader.c) keeps its own list on purpose: the
 * two must not share one reading of the application note, or a mistake in it would pass every test. */
enum {
    COMMAND_GET = 0x00,
    COMMAND_GET_ID = 0x02,
    COMMAND_READ_MEMORY = 0x11,
    COMMAND_GO = 0x21,
    COMMAND_WRITE_MEMORY = 0x31,
    COMMAND_ERASE = 0x43,
    COMMAND_EXTENDED_ERASE = 0x44,
    COMMAND_WRITE_PROTECT = 0x63,
    COMMAND_WRITE_UNPROTECT = 0x73,
    COMMAND_READOUT_PROTECT = 0x82,
    COMMAND_READOUT_UNPROTECT = 0x92,
};

/* Erase 0x43: 0xFF then 0x00 is the global erase; Extended Erase 0x44 special codes. */
#define ERASE_GLOBAL 0xFFu
#define EXTENDED_ERASE_MASS 0xFFFFu
#define EXTENDED_ERASE_BANK1 0xFFFEu
#define EXTENDED_ERASE_BANK2 0xFFFDu
/* Page numbers one Erase command lists: 8-bit counts for 0x43; 0x44 takes more, but short lists keep each answer
 * within a bound the datasheet's erase time sets. */
#define ERASE_LIST_MAX 64u

/* NRST held low long enough for every STM32's reset filter, and the time the ROM is given to start before 0x7F:
 * a 0x7F sent before it listens would be measured wrong and leave it at another baud rate. 100 ms is what hosts
 * that work with every family wait (stm32flash among them). */
#define NRST_PULSE_US 2000u
#define ROM_STARTUP_US 100000u
#define APPLICATION_BASE 0x08000000u

/* The step of an exchange that failed: the command byte, the address frame, or what follows it. */
enum step { STEP_COMMAND, STEP_ADDRESS, STEP_DATA };

struct outcome {
    enum uartboot_answer answer;
    enum step step;
};

static struct outcome at(enum step step, enum uartboot_answer answer)
{
    return (struct outcome){.answer = answer, .step = step};
}

/* What the ROM refusing at the data step means for this command. */
struct refusal {
    enum status status;
    const char *reason;
};

/* The words for an exchange that did not end in ACK. doing: "mass erase". */
static enum status failure(struct uartboot *boot, struct outcome outcome, const char *doing,
                           const struct refusal *data_refusal)
{
    if (outcome.answer != UARTBOOT_ANSWER_NACK)
        return status_fail(boot->report, STATUS_BOOTLOADER_LINE, "%s: no answer after %u attempts", doing,
                           UARTBOOT_RETRIES);
    if (outcome.step == STEP_COMMAND)
        return status_fail(boot->report, STATUS_FLASH_PROTECTED, "%s: refused, read protection is active", doing);
    if (outcome.step == STEP_ADDRESS)
        return status_fail(boot->report, STATUS_BOOTLOADER_REFUSED, "%s: the bootloader refused the address", doing);
    return status_fail(boot->report, data_refusal->status, "%s: %s", doing, data_refusal->reason);
}

/* The same for an exchange at an address: "writing 0x08000400". */
static enum status failure_at(struct uartboot *boot, struct outcome outcome, const char *verb, uint32_t address,
                              const struct refusal *data_refusal)
{
    char doing[32];
    snprintf(doing, sizeof doing, "%s 0x%08lX", verb, (unsigned long)address);
    return failure(boot, outcome, doing, data_refusal);
}

/* Between blocks: the rest of the system runs, and a cancelled operation stops there (the line is in step). */
static enum status between_blocks(struct uartboot *boot, const char *verb, uint32_t address)
{
    if (!boot->system->yield(boot->system->ctx))
        return STATUS_OK;
    return status_fail(boot->report, STATUS_CANCELLED, "%s cancelled at 0x%08lX", verb, (unsigned long)address);
}

typedef struct outcome (*attempt_fn)(struct uartboot *boot, const void *request);

/* Runs an exchange until it is ACKed, at most UARTBOOT_RETRIES times. A NACK leaves the ROM waiting for a
 * command; anything else may leave it inside a frame, so the line is put back in step first. */
static struct outcome repeat(struct uartboot *boot, attempt_fn attempt, const void *request)
{
    struct outcome outcome = at(STEP_COMMAND, UARTBOOT_ANSWER_NONE);
    for (unsigned i = 0; i < UARTBOOT_RETRIES; i++) {
        if (i > 0 && outcome.answer != UARTBOOT_ANSWER_NACK)
            uartboot_resynchronise(boot);
        if (i > 0)
            boot->recovered++;
        outcome = attempt(boot, request);
        if (outcome.answer == UARTBOOT_ANSWER_ACK)
            break;
    }
    return outcome;
}

/* A command followed by its address frame. */
static struct outcome addressed(struct uartboot *boot, uint8_t code, uint32_t address)
{
    enum uartboot_answer answer = uartboot_command(boot, code);
    if (answer != UARTBOOT_ANSWER_ACK)
        return at(STEP_COMMAND, answer);
    return at(STEP_ADDRESS, uartboot_address(boot, address));
}

void uartboot_init(struct uartboot *boot, const struct hal_uart *uart, const struct hal_system *system,
                   const struct hal_target_pins *pins, uint32_t baud, struct status_report *report)
{
    memset(boot, 0, sizeof *boot);
    boot->uart = uart;
    boot->system = system;
    boot->pins = pins;
    boot->baud = baud ? baud : UARTBOOT_DEFAULT_BAUD;
    boot->report = report;
}

/* ---- entering and leaving ---- */

static void pulse_nrst(struct uartboot *boot)
{
    if (boot->pins == NULL || boot->pins->set_nrst == NULL)
        return;
    boot->pins->set_nrst(boot->pins->ctx, true);
    boot->system->delay_us(boot->system->ctx, NRST_PULSE_US);
    boot->pins->set_nrst(boot->pins->ctx, false);
}

static void set_boot0(struct uartboot *boot, bool high)
{
    if (boot->pins != NULL && boot->pins->set_boot0 != NULL)
        boot->pins->set_boot0(boot->pins->ctx, high);
}

/* Get: ACK, N, the version, N command codes, ACK (only the erase command matters here); Get ID: ACK, N = 1, the
 * PID, ACK. */
static bool get_and_get_id(struct uartboot *boot)
{
    uint8_t count, code, pid[3];
    bool ok = uartboot_command(boot, COMMAND_GET) == UARTBOOT_ANSWER_ACK && uartboot_receive(boot, &count, 1, 0) &&
              uartboot_receive(boot, &boot->version, 1, 0);
    for (unsigned i = 0; ok && i < count; i++) {
        ok = uartboot_receive(boot, &code, 1, 0);
        if (ok && code == COMMAND_EXTENDED_ERASE)
            boot->extended_erase = true;
    }
    ok = ok && uartboot_await(boot, 0) == UARTBOOT_ANSWER_ACK;
    ok = ok && uartboot_command(boot, COMMAND_GET_ID) == UARTBOOT_ANSWER_ACK && uartboot_receive(boot, pid, 3, 0) &&
         uartboot_await(boot, 0) == UARTBOOT_ANSWER_ACK;
    if (ok)
        boot->pid = (uint16_t)(pid[1] << 8 | pid[2]);
    return ok;
}

static enum status learn_commands(struct uartboot *boot)
{
    for (unsigned attempt = 0; attempt < UARTBOOT_RETRIES; attempt++) {
        if (attempt > 0) {
            uartboot_resynchronise(boot);
            boot->recovered++;
        }
        if (get_and_get_id(boot))
            return STATUS_OK;
    }
    return status_fail(boot->report, STATUS_BOOTLOADER_LINE, "the bootloader answered 0x7F but not Get/Get ID");
}

enum status uartboot_enter(struct uartboot *boot)
{
    if (!boot->uart->configure(boot->uart->ctx, boot->baud, HAL_UART_PARITY_EVEN))
        return status_fail(boot->report, STATUS_UNSUPPORTED, "the UART cannot run at %lu baud 8E1",
                           (unsigned long)boot->baud);
    set_boot0(boot, true);
    pulse_nrst(boot);
    boot->system->delay_us(boot->system->ctx, ROM_STARTUP_US);
    enum status status = uartboot_synchronise(boot);
    /* Without NRST the ROM may still be inside a frame an earlier host left unfinished: filler bytes end it. */
    bool can_reset = boot->pins != NULL && boot->pins->set_nrst != NULL;
    if (status == STATUS_BOOTLOADER_SILENT && !can_reset) {
        uartboot_resynchronise(boot);
        status_clear(boot->report);
        status = uartboot_synchronise(boot);
    }
    if (status == STATUS_OK)
        status = learn_commands(boot);
    /* A part that did not take its bootloader goes back to its firmware, with BOOT0 low for its next power-up. */
    if (status != STATUS_OK && can_reset && boot->pins->set_boot0 != NULL) {
        set_boot0(boot, false);
        pulse_nrst(boot);
    }
    return status;
}

enum status uartboot_go_application(struct uartboot *boot)
{
    if (boot->pins != NULL && boot->pins->set_boot0 != NULL)
        set_boot0(boot, false);
    return uartboot_go(boot, APPLICATION_BASE);
}

enum status uartboot_leave(struct uartboot *boot)
{
    if (boot->pins == NULL || boot->pins->set_nrst == NULL || boot->pins->set_boot0 == NULL)
        return uartboot_go(boot, APPLICATION_BASE);
    set_boot0(boot, false);
    pulse_nrst(boot);
    return STATUS_OK;
}

/* ---- memory ---- */

struct block {
    uint32_t address;
    uint8_t *bytes;
    const uint8_t *data;
    uint32_t len;
    uint32_t busy_us;
};

static struct outcome read_block(struct uartboot *boot, const void *request)
{
    const struct block *block = request;
    struct outcome outcome = addressed(boot, COMMAND_READ_MEMORY, block->address);
    if (outcome.answer != UARTBOOT_ANSWER_ACK)
        return outcome;
    const uint8_t count[2] = {(uint8_t)(block->len - 1u), (uint8_t)~(block->len - 1u)};
    enum uartboot_answer answer = uartboot_send(boot, count, 2) ? uartboot_await(boot, 0) : UARTBOOT_ANSWER_NONE;
    if (answer == UARTBOOT_ANSWER_ACK && !uartboot_receive(boot, block->bytes, block->len, 0))
        answer = UARTBOOT_ANSWER_NONE;
    return at(STEP_DATA, answer);
}

/* N-1, erased bytes from the word boundary to the data, the data, erased bytes to a multiple of 4 (AN3155), the
 * XOR. */
static struct outcome write_block(struct uartboot *boot, const void *request)
{
    const struct block *block = request;
    static const uint8_t erased[3] = {0xFF, 0xFF, 0xFF};
    uint32_t lead = block->address % 4u;
    struct outcome outcome = addressed(boot, COMMAND_WRITE_MEMORY, block->address - lead);
    if (outcome.answer != UARTBOOT_ANSWER_ACK)
        return outcome;
    uint32_t padding = (4u - (lead + block->len) % 4u) % 4u;
    const uint8_t count = (uint8_t)(lead + block->len + padding - 1u);
    uint8_t checksum = count;
    for (uint32_t i = 0; i < block->len; i++)
        checksum ^= block->data[i];
    checksum ^= (uint8_t)((lead + padding) % 2u ? 0xFFu : 0u); /* the XOR of that many bytes of 0xFF */
    bool sent = uartboot_send(boot, &count, 1) && (lead == 0 || uartboot_send(boot, erased, lead)) &&
                uartboot_send(boot, block->data, block->len) &&
                (padding == 0 || uartboot_send(boot, erased, padding)) && uartboot_send(boot, &checksum, 1);
    return at(STEP_DATA, sent ? uartboot_await(boot, block->busy_us) : UARTBOOT_ANSWER_NONE);
}

/* After a lost ACK the block may be programmed already, and the ROM refuses it again when repeated (not erased):
 * the flash holding the block's bytes means an earlier attempt succeeded. */
static bool block_in_flash(struct uartboot *boot, const struct block *block)
{
    uint8_t flash[32];
    for (uint32_t done = 0; done < block->len; done += sizeof flash) {
        uint32_t piece = block->len - done < sizeof flash ? block->len - done : (uint32_t)sizeof flash;
        struct block part = {.address = block->address + done, .bytes = flash, .len = piece};
        if (repeat(boot, read_block, &part).answer != UARTBOOT_ANSWER_ACK ||
            memcmp(flash, block->data + done, piece) != 0)
            return false;
    }
    return true;
}

/* Read Memory or Write Memory, block after block. A write's blocks after the first start on a word boundary. */
static enum status in_blocks(struct uartboot *boot, struct block block, uint32_t len, bool writing)
{
    static const struct refusal read_refused = {STATUS_BOOTLOADER_REFUSED, "the bootloader refused the length"};
    static const struct refusal write_refused = {STATUS_FLASH_PROTECTED, "refused: write-protected or not erased"};
    const char *verb = writing ? "writing" : "reading";
    while (len > 0) {
        uint32_t room = UARTBOOT_BLOCK - (writing ? block.address % 4u : 0u);
        block.len = len < room ? len : room;
        uint32_t recovered = boot->recovered;
        struct outcome outcome = repeat(boot, writing ? write_block : read_block, &block);
        bool written_before = writing && boot->recovered != recovered && outcome.answer == UARTBOOT_ANSWER_NACK &&
                              block_in_flash(boot, &block);
        if (outcome.answer != UARTBOOT_ANSWER_ACK && !written_before)
            return failure_at(boot, outcome, verb, block.address, writing ? &write_refused : &read_refused);
        block.address += block.len;
        if (writing)
            block.data += block.len;
        else
            block.bytes += block.len;
        len -= block.len;
        enum status status = len > 0 ? between_blocks(boot, verb, block.address) : STATUS_OK;
        if (status != STATUS_OK)
            return status;
    }
    return STATUS_OK;
}

enum status uartboot_read(struct uartboot *boot, uint32_t address, uint8_t *bytes, uint32_t len)
{
    return in_blocks(boot, (struct block){.address = address, .bytes = bytes}, len, false);
}

enum status uartboot_flash_size(struct uartboot *boot, uint32_t size_register, uint32_t flash_base, uint32_t max_kb,
                                uint32_t *size)
{
    uint8_t kb[2];
    enum status status = uartboot_read(boot, size_register, kb, sizeof kb);
    if (status != STATUS_BOOTLOADER_REFUSED) {
        *size = (uint32_t)(kb[0] | kb[1] << 8) * 1024u;
        return status;
    }
    uint32_t readable = 0, refused = max_kb + 1; /* KB whose last byte reads (0: none), and KB whose last does not */
    while (refused - readable > 1) {
        uint32_t middle = readable + (refused - readable) / 2;
        uint8_t byte;
        status = uartboot_read(boot, flash_base + middle * 1024u - 1u, &byte, 1);
        if (status != STATUS_OK && status != STATUS_BOOTLOADER_REFUSED)
            return status;
        if (status == STATUS_OK)
            readable = middle;
        else
            refused = middle;
    }
    status_clear(boot->report); /* the refusals were the answer, not a failure */
    *size = readable * 1024u;
    return STATUS_OK;
}

enum status uartboot_write(struct uartboot *boot, uint32_t address, const uint8_t *bytes, uint32_t len,
                           uint32_t block_us)
{
    return in_blocks(boot, (struct block){.address = address, .data = bytes, .busy_us = block_us}, len, true);
}

/* ---- erase ---- */

struct erase_request {
    const uint8_t *list; /* the frame after the command, without its XOR */
    uint32_t len;
    uint32_t busy_us;
};

static struct outcome erase_list(struct uartboot *boot, const void *request)
{
    const struct erase_request *erase = request;
    enum uartboot_answer answer =
        uartboot_command(boot, boot->extended_erase ? COMMAND_EXTENDED_ERASE : COMMAND_ERASE);
    if (answer != UARTBOOT_ANSWER_ACK)
        return at(STEP_COMMAND, answer);
    /* 0x43's global erase is 0xFF and its complement, not an XOR frame. */
    if (!boot->extended_erase && erase->len == 1 && erase->list[0] == ERASE_GLOBAL) {
        const uint8_t global[2] = {ERASE_GLOBAL, 0x00};
        answer = uartboot_send(boot, global, 2) ? uartboot_await(boot, erase->busy_us) : UARTBOOT_ANSWER_NONE;
        return at(STEP_DATA, answer);
    }
    return at(STEP_DATA, uartboot_frame(boot, erase->list, erase->len, NULL, 0, erase->busy_us));
}

static enum status erase(struct uartboot *boot, const uint8_t *list, uint32_t len, uint32_t busy_us,
                         const char *doing)
{
    static const struct refusal refused = {STATUS_FLASH_PROTECTED, "refused: write-protected"};
    const struct erase_request request = {.list = list, .len = len, .busy_us = busy_us};
    struct outcome outcome = repeat(boot, erase_list, &request);
    return outcome.answer == UARTBOOT_ANSWER_ACK ? STATUS_OK : failure(boot, outcome, doing, &refused);
}

enum status uartboot_erase_units(struct uartboot *boot, uint16_t first, uint16_t count, uint32_t busy_us)
{
    uint8_t list[2 + 2 * ERASE_LIST_MAX];
    while (count > 0) {
        uint16_t now = count < ERASE_LIST_MAX ? count : (uint16_t)ERASE_LIST_MAX;
        uint32_t len = 0;
        if (boot->extended_erase) {
            list[len++] = (uint8_t)((now - 1u) >> 8);
            list[len++] = (uint8_t)(now - 1u);
        } else {
            list[len++] = (uint8_t)(now - 1u);
        }
        for (uint16_t i = 0; i < now; i++) {
            uint16_t unit = (uint16_t)(first + i);
            if (boot->extended_erase)
                list[len++] = (uint8_t)(unit >> 8);
            list[len++] = (uint8_t)unit;
        }
        char doing[40];
        snprintf(doing, sizeof doing, "erasing units %u..%u", first, first + now - 1u);
        enum status status = erase(boot, list, len, (uint32_t)((uint64_t)busy_us * now / count), doing);
        if (status != STATUS_OK)
            return status;
        busy_us -= (uint32_t)((uint64_t)busy_us * now / count);
        first = (uint16_t)(first + now);
        count = (uint16_t)(count - now);
    }
    return STATUS_OK;
}

static enum status erase_special(struct uartboot *boot, uint16_t code, uint32_t busy_us, const char *doing)
{
    const uint8_t list[2] = {(uint8_t)(code >> 8), (uint8_t)code};
    if (!boot->extended_erase && code != EXTENDED_ERASE_MASS)
        return status_fail(boot->report, STATUS_UNSUPPORTED, "%s: the part's bootloader has no bank erase", doing);
    if (!boot->extended_erase) {
        const uint8_t global = ERASE_GLOBAL;
        return erase(boot, &global, 1, busy_us, doing);
    }
    return erase(boot, list, 2, busy_us, doing);
}

enum status uartboot_mass_erase(struct uartboot *boot, uint32_t busy_us)
{
    return erase_special(boot, EXTENDED_ERASE_MASS, busy_us, "mass erase");
}

enum status uartboot_erase_bank(struct uartboot *boot, unsigned bank, uint32_t busy_us)
{
    return erase_special(boot, bank == 0 ? EXTENDED_ERASE_BANK1 : EXTENDED_ERASE_BANK2, busy_us,
                         bank == 0 ? "erasing bank 1" : "erasing bank 2");
}

/* ---- Go and the option byte commands ---- */

static struct outcome go_to(struct uartboot *boot, const void *request)
{
    return addressed(boot, COMMAND_GO, *(const uint32_t *)request);
}

enum status uartboot_go(struct uartboot *boot, uint32_t address)
{
    static const struct refusal refused = {STATUS_BOOTLOADER_REFUSED, "refused"};
    struct outcome outcome = repeat(boot, go_to, &address);
    return outcome.answer == UARTBOOT_ANSWER_ACK ? STATUS_OK : failure(boot, outcome, "Go", &refused);
}

struct option_request {
    uint8_t code;
    const uint8_t *sectors;
    unsigned count;
    uint32_t busy_us;
};

/* ACK to the command, then (Readout Unprotect: after a mass erase; Write Protect: after the sector list) ACK once
 * the option bytes are written; the ROM then resets the part. */
static struct outcome option_command(struct uartboot *boot, const void *request)
{
    const struct option_request *option = request;
    enum uartboot_answer answer = uartboot_command(boot, option->code);
    if (answer != UARTBOOT_ANSWER_ACK)
        return at(STEP_COMMAND, answer);
    if (option->code != COMMAND_WRITE_PROTECT)
        return at(STEP_DATA, uartboot_await(boot, option->busy_us));
    const uint8_t count = (uint8_t)(option->count - 1u);
    return at(STEP_DATA, uartboot_frame(boot, &count, 1, option->sectors, option->count, option->busy_us));
}

static enum status change_options(struct uartboot *boot, const struct option_request *request, const char *doing)
{
    static const struct refusal refused = {STATUS_BOOTLOADER_REFUSED, "the option bytes could not be changed"};
    struct outcome outcome = repeat(boot, option_command, request);
    if (outcome.answer != UARTBOOT_ANSWER_ACK) {
        /* Readout Unprotect is what the ROM serves under read protection: its NACK is no sign of it. */
        if (outcome.answer == UARTBOOT_ANSWER_NACK && outcome.step == STEP_COMMAND)
            outcome.step = STEP_DATA;
        return failure(boot, outcome, doing, &refused);
    }
    boot->system->delay_us(boot->system->ctx, ROM_STARTUP_US);
    enum status status = uartboot_synchronise(boot);
    return status == STATUS_OK ? learn_commands(boot) : status;
}

enum status uartboot_readout_unprotect(struct uartboot *boot, uint32_t busy_us)
{
    const struct option_request request = {.code = COMMAND_READOUT_UNPROTECT, .busy_us = busy_us};
    return change_options(boot, &request, "Readout Unprotect");
}

enum status uartboot_readout_protect(struct uartboot *boot, uint32_t busy_us)
{
    const struct option_request request = {.code = COMMAND_READOUT_PROTECT, .busy_us = busy_us};
    return change_options(boot, &request, "Readout Protect");
}

enum status uartboot_write_unprotect(struct uartboot *boot, uint32_t busy_us)
{
    const struct option_request request = {.code = COMMAND_WRITE_UNPROTECT, .busy_us = busy_us};
    return change_options(boot, &request, "Write Unprotect");
}

enum status uartboot_write_protect(struct uartboot *boot, const uint8_t *sectors, unsigned count, uint32_t busy_us)
{
    if (count == 0 || count > 256u)
        return status_fail(boot->report, STATUS_INVALID_ARGUMENT, "Write Protect: 1 to 256 sectors");
    const struct option_request request = {.code = COMMAND_WRITE_PROTECT, .sectors = sectors, .count = count,
                                           .busy_us = busy_us};
    return change_options(boot, &request, "Write Protect");
}
