/* USART1 without waiting, for programs that serve both directions from one loop: after usart_init(), the receiver
 * on as well, and one look at each side. */
#ifndef FW_USART_POLL_H
#define FW_USART_POLL_H

#include <stdbool.h>
#include <stdint.h>

void usart_receiver_enable(void);
/* True with a received byte in *byte (read: RXNE clears, and on F1/F4 an overrun flag read with it). */
bool usart_try_receive(uint8_t *byte);
/* True when byte went into the transmit data register; false while it is still full. */
bool usart_try_send(uint8_t byte);

#endif
