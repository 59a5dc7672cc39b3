/*
 * airswd_config.h - every fixed size and time limit of the core, in one place.
 *
 * The core never allocates: buffers are sized here. A port may override any value by defining it before this
 * header is included (for example with -D on the compiler command line).
 */
#ifndef AIRSWD_CONFIG_H
#define AIRSWD_CONFIG_H

/* Longest detail string a failing layer attaches to a status (bytes, including the terminator). */
#ifndef AIRSWD_STATUS_DETAIL_MAX
#define AIRSWD_STATUS_DETAIL_MAX 112
#endif

/* How long the connect routine keeps trying line reset, JTAG-to-SWD and dormant wake-up before it gives up.
 * OpenOCD uses about 500 ms; a target that answers does so on the first attempt. */
#ifndef AIRSWD_SWD_CONNECT_TIMEOUT_MS
#define AIRSWD_SWD_CONNECT_TIMEOUT_MS 500
#endif

/* How long an SWD packet answered with WAIT is repeated before the transfer fails (Black Magic Probe: 250 ms).
 * Flash operations that legitimately stall the bus for longer are polled, never waited out on the wire. */
#ifndef AIRSWD_SWD_WAIT_TIMEOUT_MS
#define AIRSWD_SWD_WAIT_TIMEOUT_MS 250
#endif

/* Idle cycles (SWDIO low) clocked after each packet by default. Zero keeps block transfers at 46 cycles/word. */
#ifndef AIRSWD_SWD_DEFAULT_IDLE_CYCLES
#define AIRSWD_SWD_DEFAULT_IDLE_CYCLES 0
#endif

/* How long the debug power domain may take to acknowledge CDBGPWRUPREQ/CSYSPWRUPREQ. */
#ifndef AIRSWD_ADI_POWERUP_TIMEOUT_MS
#define AIRSWD_ADI_POWERUP_TIMEOUT_MS 100
#endif

/* Attempts of one ADI operation that failed on the wire (parity, lost ACK, WDATAERR) before it is reported.
 * Each attempt that makes progress in a block transfer resets the count. */
#ifndef AIRSWD_ADI_WIRE_RETRIES
#define AIRSWD_ADI_WIRE_RETRIES 4
#endif

/* Longest log line the core formats (bytes, including the terminator); it lives on the caller's stack. */
#ifndef AIRSWD_LOG_LINE_MAX
#define AIRSWD_LOG_LINE_MAX 128
#endif

#endif /* AIRSWD_CONFIG_H */
