/* The echo program: a greeting on USART1, then every byte received on USART1 sent back as it came. The bytes wait
 * in a ring in RAM between the two sides: BRR's rounding makes this chip's transmitter a little slower than the
 * sender on some parts, and a long stream at full line rate must not overrun the receiver meanwhile (the loop
 * reads a byte well within one frame). PA10 (RX) needs no set-up on the F1, where it is an input after reset. */
#include <stdint.h>

#include "baud.h"
#include "board.h"
#include "family.h"
#include "usart.h"
#include "usart_poll.h"

#define ECHO_RING_BYTES 4096u /* a power of two: the indexes wrap freely */

int main(void);

int main(void)
{
    static uint8_t ring[ECHO_RING_BYTES];
    uint32_t received = 0, sent = 0; /* invariant: sent <= received <= sent + ECHO_RING_BYTES */
    board_clocks_enable();
    board_pins_init();
    usart_init(FW_BRR(FAMILY_CLOCK_HZ));
    usart_receiver_enable();
    usart_puts("echo from airswd example firmware (STM32" FAMILY_NAME ")\r\n");
    for (;;) {
        uint8_t byte;
        if (usart_try_receive(&byte) && received - sent < ECHO_RING_BYTES)
            ring[received++ % ECHO_RING_BYTES] = byte;
        if (sent != received && usart_try_send(ring[sent % ECHO_RING_BYTES]))
            sent++;
    }
}
