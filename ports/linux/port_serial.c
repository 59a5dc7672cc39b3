/*
 * port_serial.c - the HAL's UART on a Linux serial port (port_serial.h).
 */
#define _DEFAULT_SOURCE
#include "port_serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static const struct {
    uint32_t baud;
    speed_t speed;
} speeds[] = {
    {1200, B1200},     {2400, B2400},     {4800, B4800},     {9600, B9600},     {19200, B19200},
    {38400, B38400},   {57600, B57600},   {115200, B115200}, {230400, B230400}, {460800, B460800},
    {500000, B500000}, {576000, B576000}, {921600, B921600}, {1000000, B1000000},
};

static bool serial_configure(void *ctx, uint32_t baud, enum hal_uart_parity parity)
{
    struct port_serial *port = ctx;
    struct termios settings;
    if (tcgetattr(port->fd, &settings) != 0)
        return false;
    cfmakeraw(&settings);
    settings.c_cflag |= CLOCAL | CREAD;
    settings.c_cflag &= ~(unsigned)(PARENB | PARODD | CSTOPB | CRTSCTS);
    if (parity == HAL_UART_PARITY_EVEN)
        settings.c_cflag |= PARENB;
    /* A byte that fails its parity check is dropped (INPCK with IGNPAR): the client sees it lost, and repeats. */
    settings.c_iflag |= INPCK | IGNPAR | IGNBRK;
    size_t i = 0;
    while (i < sizeof speeds / sizeof speeds[0] && speeds[i].baud != baud)
        i++;
    if (i == sizeof speeds / sizeof speeds[0] || cfsetspeed(&settings, speeds[i].speed) != 0)
        return false;
    if (tcsetattr(port->fd, TCSANOW, &settings) == 0)
        return true;
    /* A pty has no parity bit, and Linux refuses PARENB on one: its bytes arrive whole either way. */
    settings.c_cflag &= ~(unsigned)PARENB;
    return port->pseudo_terminal && tcsetattr(port->fd, TCSANOW, &settings) == 0;
}

static size_t serial_write(void *ctx, const uint8_t *data, size_t len)
{
    struct port_serial *port = ctx;
    ssize_t put = write(port->fd, data, len);
    return put > 0 ? (size_t)put : 0;
}

static size_t serial_read(void *ctx, uint8_t *data, size_t len, uint32_t timeout_ms)
{
    struct port_serial *port = ctx;
    struct pollfd pending = {.fd = port->fd, .events = POLLIN};
    if (poll(&pending, 1, (int)timeout_ms) <= 0)
        return 0;
    ssize_t got = read(port->fd, data, len);
    return got > 0 ? (size_t)got : 0;
}

static void serial_flush_input(void *ctx)
{
    struct port_serial *port = ctx;
    tcflush(port->fd, TCIFLUSH);
}

static void set_modem_line(struct port_serial *port, int line, bool asserted)
{
    (void)ioctl(port->fd, asserted ? TIOCMBIS : TIOCMBIC, &line);
}

static void serial_set_nrst(void *ctx, bool asserted)
{
    set_modem_line(ctx, TIOCM_DTR, asserted);
}

static void serial_set_boot0(void *ctx, bool high)
{
    set_modem_line(ctx, TIOCM_RTS, high);
}

bool port_serial_open(struct port_serial *port, const char *path)
{
    memset(port, 0, sizeof *port);
    port->fd = open(path, O_RDWR | O_NOCTTY);
    if (port->fd < 0)
        return false;
    const char *name = ttyname(port->fd);
    port->pseudo_terminal = name != NULL && strncmp(name, "/dev/pts/", 9) == 0;
    port->uart = (struct hal_uart){.ctx = port, .configure = serial_configure, .write = serial_write,
                                   .read = serial_read, .flush_input = serial_flush_input};
    port->pins = (struct hal_target_pins){.ctx = port, .set_nrst = serial_set_nrst, .set_boot0 = serial_set_boot0};
    if (!serial_configure(port, 115200, HAL_UART_PARITY_EVEN)) {
        int saved = errno;
        close(port->fd);
        port->fd = -1;
        errno = saved;
        return false;
    }
    return true;
}

void port_serial_close(struct port_serial *port)
{
    if (port->fd >= 0)
        close(port->fd);
    port->fd = -1;
}
