/* IWDG registers: KR 0x00 (0xCCCC start, 0xAAAA refresh, 0x5555 unlock PR/RLR), PR 0x04, RLR 0x08 (12 bits). */
#include "watchdog.h"

#include "family.h"
#include "mmio.h"

#define IWDG_BASE       0x40003000u
#define IWDG_KR         (IWDG_BASE + 0x00u)
#define IWDG_PR         (IWDG_BASE + 0x04u)
#define IWDG_RLR        (IWDG_BASE + 0x08u)
#define IWDG_KEY_START  0xCCCCu
#define IWDG_KEY_REFRESH 0xAAAAu
#define IWDG_KEY_ACCESS 0x5555u
#define IWDG_PR_DIV32   3u /* LSI / (4 << 3) */
#define IWDG_RLR_MAX    0xFFFu

void watchdog_start(uint32_t timeout_ms)
{
    uint32_t reload = FAMILY_LSI_HZ / 32u * timeout_ms / 1000u;
    MMIO32(IWDG_KR) = IWDG_KEY_START;
    MMIO32(IWDG_KR) = IWDG_KEY_ACCESS;
    MMIO32(IWDG_PR) = IWDG_PR_DIV32;
    MMIO32(IWDG_RLR) = reload > IWDG_RLR_MAX ? IWDG_RLR_MAX : reload;
    MMIO32(IWDG_KR) = IWDG_KEY_REFRESH;
}

void watchdog_refresh(void)
{
    MMIO32(IWDG_KR) = IWDG_KEY_REFRESH;
}
