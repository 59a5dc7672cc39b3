/*
 * sim_mem_ap.c - the MEM-AP registers and how a DRW/BDn access becomes one bus transfer.
 *
 * Sub-word data travels on its byte lane of DRW (ADIv5.2 C2.2.6): a byte at address a in bits 8*(a&3)+7..8*(a&3),
 * a halfword in bits 16*((a>>1)&1)+15... The transfer itself has the CSW size, as an AHB transfer has HSIZE; on a
 * read the other lanes carry the rest of the word when the slave is plain memory with direct backing (zero
 * otherwise), so a host that
 * forgets to pick its lane reads the wrong bytes here as it would on silicon.
 */
#include "sim_mem_ap.h"

#include <stddef.h>

/* The CSW fields this AP keeps. Packed increment (AddrInc 2) is not implemented and reads back as off, which is how
 * an AP without it tells the debugger; a Size the AP cannot do falls back to 32 bits. */
static uint32_t stored_csw(const struct sim_mem_ap_config *config, uint32_t value)
{
    uint32_t size = value & SIM_MEM_AP_CSW_SIZE_MASK;
    if (!config->sub_word || size > SIM_MEM_AP_CSW_SIZE_32)
        size = SIM_MEM_AP_CSW_SIZE_32;
    uint32_t increment = value & SIM_MEM_AP_CSW_ADDRINC_MASK;
    if (increment != SIM_MEM_AP_CSW_ADDRINC_SINGLE)
        increment = SIM_MEM_AP_CSW_ADDRINC_OFF;
    uint32_t prot = config->csw_prot_mask ? config->csw_prot_mask & SIM_MEM_AP_CSW_PROT_MASK : SIM_MEM_AP_CSW_PROT_MASK;
    return (value & prot) | increment | size;
}

void sim_mem_ap_init(struct sim_mem_ap *ap, const struct sim_mem_ap_config *config, struct sim_bus *bus)
{
    ap->config = *config;
    ap->bus = bus;
    ap->tar = 0;
    ap->busy_until_ps = 0;
    ap->csw = stored_csw(config, config->csw_reset);
    ap->sync = NULL;
    ap->sync_ctx = NULL;
}

void sim_mem_ap_set_sync(struct sim_mem_ap *ap, void (*sync)(void *ctx, uint64_t now_ps), void *ctx)
{
    ap->sync = sync;
    ap->sync_ctx = ctx;
}

static void sync_chip(const struct sim_mem_ap *ap, uint64_t now_ps)
{
    if (ap->sync != NULL)
        ap->sync(ap->sync_ctx, now_ps);
}

static unsigned transfer_bytes(const struct sim_mem_ap *ap)
{
    return 1u << (ap->csw & SIM_MEM_AP_CSW_SIZE_MASK);
}

static uint32_t lane_mask(unsigned bytes)
{
    return bytes == 4 ? UINT32_MAX : (UINT32_C(1) << (8 * bytes)) - 1;
}

/* The low bits of TAR count; the bits above never change, so a run of DRW accesses wraps inside its block. */
static void increment_tar(struct sim_mem_ap *ap, unsigned bytes)
{
    uint32_t block = (ap->config.autoinc_block ? ap->config.autoinc_block : SIM_MEM_AP_AUTOINC_BLOCK) - 1;
    ap->tar = (ap->tar & ~block) | ((ap->tar + bytes) & block);
}

/* The aligned word holding addr, read without side effects when the slave has direct backing (plain memory); 0
 * otherwise. */
static uint32_t surrounding_word(const struct sim_bus *bus, uint32_t addr)
{
    uint32_t word_addr = addr & ~UINT32_C(3);
    const struct sim_bus_region *region = sim_bus_find(bus, word_addr);
    if (region == NULL || region->direct == NULL || (uint64_t)word_addr + 4 > (uint64_t)region->base + region->size)
        return 0;
    const uint8_t *bytes = region->direct + (word_addr - region->base);
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

static enum sim_bus_status read_memory(struct sim_mem_ap *ap, uint32_t addr, unsigned bytes, uint64_t now_ps,
                                       uint32_t *value, uint64_t *done_ps)
{
    addr &= ~(uint32_t)(bytes - 1); /* the low TAR bits below the access size are ignored */
    sync_chip(ap, now_ps);
    uint32_t data;
    enum sim_bus_status status = sim_bus_read(ap->bus, SIM_BUS_MASTER_DEBUG, addr, bytes, &data, now_ps, done_ps);
    ap->busy_until_ps = *done_ps;
    if (status != SIM_BUS_OK)
        return status;
    unsigned shift = 8 * (addr & 3);
    uint32_t lane = lane_mask(bytes) << shift;
    uint32_t word = bytes == 4 ? 0 : surrounding_word(ap->bus, addr);
    *value = (word & ~lane) | (data << shift);
    return SIM_BUS_OK;
}

static enum sim_bus_status write_memory(struct sim_mem_ap *ap, uint32_t addr, unsigned bytes, uint32_t value,
                                        uint64_t now_ps, uint64_t *done_ps)
{
    addr &= ~(uint32_t)(bytes - 1);
    sync_chip(ap, now_ps);
    uint32_t data = (value >> (8 * (addr & 3))) & lane_mask(bytes);
    enum sim_bus_status status = sim_bus_write(ap->bus, SIM_BUS_MASTER_DEBUG, addr, bytes, data, now_ps, done_ps);
    ap->busy_until_ps = *done_ps;
    return status;
}

static uint32_t banked_address(const struct sim_mem_ap *ap, uint8_t offset)
{
    return (ap->tar & ~UINT32_C(0xF)) + (offset - SIM_MEM_AP_BD0);
}

static bool is_banked_data(uint8_t offset)
{
    return offset >= SIM_MEM_AP_BD0 && offset <= SIM_MEM_AP_BD3;
}

static enum sim_bus_status mem_ap_read(void *ctx, uint8_t offset, uint64_t now_ps, uint32_t *value, uint64_t *done_ps)
{
    struct sim_mem_ap *ap = ctx;
    *value = 0;
    *done_ps = now_ps;
    if (offset == SIM_MEM_AP_DRW) {
        unsigned bytes = transfer_bytes(ap);
        enum sim_bus_status status = read_memory(ap, ap->tar, bytes, now_ps, value, done_ps);
        if (status == SIM_BUS_OK && (ap->csw & SIM_MEM_AP_CSW_ADDRINC_MASK) == SIM_MEM_AP_CSW_ADDRINC_SINGLE)
            increment_tar(ap, bytes);
        return status;
    }
    if (is_banked_data(offset))
        return read_memory(ap, banked_address(ap, offset), 4, now_ps, value, done_ps);
    switch (offset) {
    case SIM_MEM_AP_CSW:
        *value = ap->csw | SIM_MEM_AP_CSW_DEVICEEN | (now_ps < ap->busy_until_ps ? SIM_MEM_AP_CSW_TRINPROG : 0);
        break;
    case SIM_MEM_AP_TAR: *value = ap->tar; break;
    case SIM_MEM_AP_CFG:
        *value = 0; /* little-endian, 32-bit addresses, no large data */
        break;
    case SIM_MEM_AP_BASE: *value = ap->config.base; break;
    case SIM_MEM_AP_IDR: *value = ap->config.idr; break;
    default: break; /* reserved: RAZ */
    }
    return SIM_BUS_OK;
}

static enum sim_bus_status mem_ap_write(void *ctx, uint8_t offset, uint32_t value, uint64_t now_ps, uint64_t *done_ps)
{
    struct sim_mem_ap *ap = ctx;
    *done_ps = now_ps;
    if (offset == SIM_MEM_AP_DRW) {
        unsigned bytes = transfer_bytes(ap);
        enum sim_bus_status status = write_memory(ap, ap->tar, bytes, value, now_ps, done_ps);
        if (status == SIM_BUS_OK && (ap->csw & SIM_MEM_AP_CSW_ADDRINC_MASK) == SIM_MEM_AP_CSW_ADDRINC_SINGLE)
            increment_tar(ap, bytes);
        return status;
    }
    if (is_banked_data(offset))
        return write_memory(ap, banked_address(ap, offset), 4, value, now_ps, done_ps);
    switch (offset) {
    case SIM_MEM_AP_CSW: ap->csw = stored_csw(&ap->config, value); break;
    case SIM_MEM_AP_TAR: ap->tar = value; break;
    default: break; /* read-only or reserved: WI */
    }
    return SIM_BUS_OK;
}

static void mem_ap_abort(void *ctx)
{
    struct sim_mem_ap *ap = ctx;
    ap->busy_until_ps = 0;
}

const struct sim_ap_ops sim_mem_ap_ops = {.read = mem_ap_read, .write = mem_ap_write, .abort = mem_ap_abort};
