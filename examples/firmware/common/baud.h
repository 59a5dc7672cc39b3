/* USART_BRR for oversampling by 16: USARTDIV = f_ck / baud, rounded to the nearest integer. On F1/F4 the
 * value is the 12.4 fixed-point mantissa/fraction pair, which is the same number. */
#ifndef FW_BAUD_H
#define FW_BAUD_H

#define FW_BAUD          115200u
#define FW_BRR(clock_hz) (((clock_hz) + FW_BAUD / 2u) / FW_BAUD)

#endif
