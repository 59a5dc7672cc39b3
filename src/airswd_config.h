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

/* Images (src/image). The parsers and the plan keep bounded state whatever the size of the image. */

/* Separate address ranges of flash data an image may have after adjacent pieces are merged (a typical firmware
 * has 1 to 4). Each costs 12 bytes in the plan's data list and 8 in its program and erase lists. */
#ifndef AIRSWD_IMAGE_MAX_SEGMENTS
#define AIRSWD_IMAGE_MAX_SEGMENTS 32
#endif

/* Separate option-byte ranges an image may write (kept apart from main flash). */
#ifndef AIRSWD_IMAGE_MAX_OPTION_SEGMENTS
#define AIRSWD_IMAGE_MAX_OPTION_SEGMENTS 4
#endif

/* Separate data EEPROM ranges an image may write (L0/L1; kept apart from main flash; a firmware has one .eeprom
 * section, or two). 12 bytes each in the job's plan and in the upload's. */
#ifndef AIRSWD_IMAGE_MAX_EEPROM_SEGMENTS
#define AIRSWD_IMAGE_MAX_EEPROM_SEGMENTS 2
#endif

/* PT_LOAD program headers with file data an ELF image may have (ld writes 2 to 4 for a firmware). 20 bytes each. */
#ifndef AIRSWD_IMAGE_ELF_MAX_LOADS
#define AIRSWD_IMAGE_ELF_MAX_LOADS 16
#endif

/* Runs of equal erase units in a target description (F4: 4x16K, 1x64K, 7x128K is 3 runs; dual bank doubles it). */
#ifndef AIRSWD_IMAGE_MAX_ERASE_RUNS
#define AIRSWD_IMAGE_MAX_ERASE_RUNS 8
#endif

/* RAM ranges and option-byte ranges in a target description. */
#ifndef AIRSWD_IMAGE_MAX_RAM_RANGES
#define AIRSWD_IMAGE_MAX_RAM_RANGES 4
#endif
#ifndef AIRSWD_IMAGE_MAX_OPTION_RANGES
#define AIRSWD_IMAGE_MAX_OPTION_RANGES 4
#endif

/* Largest program unit (bytes) the writer assembles: 32 is the H7's 256-bit flash word. At most 32, since a
 * pending unit tracks its bytes in a 32-bit mask. */
#ifndef AIRSWD_IMAGE_MAX_PROGRAM_UNIT
#define AIRSWD_IMAGE_MAX_PROGRAM_UNIT 32
#endif

/* Program units the writer can hold partly filled at once, waiting for the rest of their bytes from later records.
 * A file in address order needs one; each costs AIRSWD_IMAGE_MAX_PROGRAM_UNIT + 12 bytes. */
#ifndef AIRSWD_IMAGE_PENDING_UNITS
#define AIRSWD_IMAGE_PENDING_UNITS 8
#endif

/* Flash jobs (src/job). */

/* Bytes of the image file read at a time. Every reading of the file uses the same chunks (image_writer.h). */
#ifndef AIRSWD_JOB_CHUNK
#define AIRSWD_JOB_CHUNK 512
#endif

/* Erase units a job can track as already holding the image (--skip-unchanged): 2 MB of 1 KB pages, the 1536 128-byte
 * pages of an L07x; units past it are always erased and programmed. */
#ifndef AIRSWD_JOB_MAX_UNITS
#define AIRSWD_JOB_MAX_UNITS 2048
#endif

/* Bytes of flash read back at a time when verifying without a CRC on the target; the same buffer gathers the
 * program pass's runs (struct job.run), so it is also the most a small-record file (HEX) programs per call. At
 * AIRSWD_JOB_CHUNK - 8 or more, HEX programs in runs as long as a binary's pieces (bench/bench_flash.c). */
#ifndef AIRSWD_JOB_READBACK_CHUNK
#define AIRSWD_JOB_READBACK_CHUNK 512
#endif

/* Core control (src/cortexm). */

/* How long a halt request (DHCSR.C_HALT) or a single step may take to show in DHCSR.S_HALT. A core halts within a
 * few cycles unless its bus is stalled. */
#ifndef AIRSWD_CORTEXM_HALT_TIMEOUT_MS
#define AIRSWD_CORTEXM_HALT_TIMEOUT_MS 100
#endif

/* How long a core register transfer (DCRSR) may take to show DHCSR.S_REGRDY; it is normally ready at once. */
#ifndef AIRSWD_CORTEXM_REGISTER_TIMEOUT_MS
#define AIRSWD_CORTEXM_REGISTER_TIMEOUT_MS 10
#endif

/* How long after SYSRESETREQ or the end of an NRST pulse the core may take to report its reset (DHCSR.S_RESET_ST)
 * and halt at the reset vector; also how long NRST may take to rise after release (a 100 nF capacitor). */
#ifndef AIRSWD_CORTEXM_RESET_TIMEOUT_MS
#define AIRSWD_CORTEXM_RESET_TIMEOUT_MS 500
#endif

/* Length of the NRST pulse of a reset (STM32 datasheets ask for 20 us at least; boards add a capacitor). */
#ifndef AIRSWD_CORTEXM_NRST_PULSE_US
#define AIRSWD_CORTEXM_NRST_PULSE_US 2000
#endif

/* Pause between two looks at a routine that runs, or at a chip that resets, so that a long wait does not keep the
 * wire busy; the first look comes at once. */
#ifndef AIRSWD_CORTEXM_POLL_INTERVAL_US
#define AIRSWD_CORTEXM_POLL_INTERVAL_US 100
#endif

/* Staging store (src/service/store, docs/store.md). Changing the journal size changes the layout on flash: a store
 * laid out otherwise must be formatted (its images are lost). The images take what their sizes need of the rest of
 * the storage; a journal record describes 4 of them at most. */

/* Erase sectors of the journal at the start of the storage: at least 2, so that one can be erased while another
 * holds the newest record. 16 records fit a 4 KB sector. */
#ifndef AIRSWD_STORE_JOURNAL_SECTORS
#define AIRSWD_STORE_JOURNAL_SECTORS 2
#endif

/* An upload commits a checkpoint record each time it has received this many more bytes (rounded down to whole
 * erase sectors, at least one), so that it can be resumed after a restart from its last checkpoint. Smaller loses
 * less on a restart and wears the journal more. */
#ifndef AIRSWD_STORE_CHECKPOINT_BYTES
#define AIRSWD_STORE_CHECKPOINT_BYTES 16384
#endif

/* Device service (src/service/service.h): jobs remembered, lines of the in-memory event log and their length,
 * events kept for the event streams (a client further behind loses the oldest) and the size of one. On Linux
 * struct service is about 20 KB with these; ports/esp8266/main/esp8266_sizes.h sets the ESP8266's. */
#ifndef AIRSWD_SERVICE_JOB_RECORDS
#define AIRSWD_SERVICE_JOB_RECORDS 4
#endif
#ifndef AIRSWD_SERVICE_LOG_LINES
#define AIRSWD_SERVICE_LOG_LINES 32
#endif
#ifndef AIRSWD_SERVICE_LOG_TEXT_MAX
#define AIRSWD_SERVICE_LOG_TEXT_MAX 128
#endif
#ifndef AIRSWD_SERVICE_EVENTS
#define AIRSWD_SERVICE_EVENTS 32
#endif
#ifndef AIRSWD_SERVICE_EVENT_DATA_MAX
#define AIRSWD_SERVICE_EVENT_DATA_MAX 200
#endif

/* Settings and event log on flash (src/service/persist_flash.h, docs/persist.md), for ports without files. */

/* Largest blob kept under one tag (bytes). Room for the service's settings and, under their own tag, the security
 * configuration (admin key, public keys, AES key, security version). With the tags below, the blobs of all tags
 * and one more record must fit one erase sector: (tags + 1) * (blob + 16) <= sector size. */
#ifndef AIRSWD_PERSIST_BLOB_MAX
#define AIRSWD_PERSIST_BLOB_MAX 512
#endif
/* Tags 1 to this many. */
#ifndef AIRSWD_PERSIST_TAGS
#define AIRSWD_PERSIST_TAGS 5
#endif
/* Largest log entry (bytes): a service log line is 8 bytes of numbers and its text without the terminator. */
#ifndef AIRSWD_PERSIST_LOG_ENTRY_MAX
#define AIRSWD_PERSIST_LOG_ENTRY_MAX (8 + AIRSWD_SERVICE_LOG_TEXT_MAX - 1)
#endif

/* HTTP server engine (src/net/http.h, docs/http.md). Memory per connection is the two buffers plus a fixed part of
 * about 400 bytes (the header index grows with AIRSWD_HTTP_MAX_HEADERS). */

/* Request line and header fields of one request, kept whole so that a handler can read any field (Authorization,
 * X-...). A longer request line gets 414, longer headers 431. Browsers send 400 to 800 bytes. */
#ifndef AIRSWD_HTTP_HEADER_MAX
#define AIRSWD_HTTP_HEADER_MAX 1536
#endif

/* Bytes of response waiting for the socket. Bodies that do not fit are streamed through it (at least 256). */
#ifndef AIRSWD_HTTP_OUTPUT_MAX
#define AIRSWD_HTTP_OUTPUT_MAX 1024
#endif

/* Header fields a request may have (4 bytes of index each); more get 431. */
#ifndef AIRSWD_HTTP_MAX_HEADERS
#define AIRSWD_HTTP_MAX_HEADERS 32
#endif

/* "{name}" segments in a route pattern. */
#ifndef AIRSWD_HTTP_MAX_PARAMS
#define AIRSWD_HTTP_MAX_PARAMS 4
#endif

/* From the first byte of a request to the end of its headers; a slower client gets 408 and is closed. */
#ifndef AIRSWD_HTTP_HEADER_TIMEOUT_MS
#define AIRSWD_HTTP_HEADER_TIMEOUT_MS 10000
#endif

/* Longest pause inside a request body; then 408 and the connection is closed (the handler sees the upload fail). */
#ifndef AIRSWD_HTTP_BODY_IDLE_TIMEOUT_MS
#define AIRSWD_HTTP_BODY_IDLE_TIMEOUT_MS 10000
#endif

/* A body's whole time (http_config.body_timeout_ms, body_min_rate): this long, plus 1 s for every
 * AIRSWD_HTTP_BODY_MIN_RATE bytes received; a body slower than that gets 408 however steadily it trickles. */
#ifndef AIRSWD_HTTP_BODY_TIMEOUT_MS
#define AIRSWD_HTTP_BODY_TIMEOUT_MS 10000
#endif
#ifndef AIRSWD_HTTP_BODY_MIN_RATE
#define AIRSWD_HTTP_BODY_MIN_RATE 1024
#endif

/* With every connection taken, a new client takes the place of one that has been idle, slow or an event stream for
 * this long (http_connection_eviction). */
#ifndef AIRSWD_HTTP_EVICT_AFTER_MS
#define AIRSWD_HTTP_EVICT_AFTER_MS 1000
#endif

/* An idle keep-alive connection is closed after this, freeing its slot for another client. */
#ifndef AIRSWD_HTTP_KEEPALIVE_TIMEOUT_MS
#define AIRSWD_HTTP_KEEPALIVE_TIMEOUT_MS 15000
#endif

/* A client that takes none of the waiting output for this long is dropped (a dead peer, or one that never reads). */
#ifndef AIRSWD_HTTP_SEND_TIMEOUT_MS
#define AIRSWD_HTTP_SEND_TIMEOUT_MS 20000
#endif

/* An event stream with nothing to say for this long gets a comment, so that proxies and clients keep it open. */
#ifndef AIRSWD_HTTP_SSE_KEEPALIVE_MS
#define AIRSWD_HTTP_SSE_KEEPALIVE_MS 15000
#endif

/* REST API (src/net/api.h): event streams served at once, and requests with a JSON body being collected or a list
 * being streamed at once (about 1.3 KB each). A port has at least as many exchanges as connections, so that a
 * request that got a connection (evicting a slow one if need be) never finds them all taken. */
#ifndef AIRSWD_API_EVENT_STREAMS
#define AIRSWD_API_EVENT_STREAMS 4
#endif
#ifndef AIRSWD_API_EXCHANGES
#define AIRSWD_API_EXCHANGES 8
#endif

/* The target's serial console in the API (GET /api/v1/events?console=FROM, POST /api/v1/console; docs/console.md),
 * for a port that bridges one (airswdd). The ESP8266 does not bridge its UART yet: 0 there keeps the code out. */
#ifndef AIRSWD_API_CONSOLE
#define AIRSWD_API_CONSOLE 1
#endif

#endif /* AIRSWD_CONFIG_H */
