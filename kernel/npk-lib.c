/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a freestanding program needs from a C library (the compiler may
 * call memset and memcpy for struct assignments), COM1 output, and the
 * way out of QEMU.
 */
#include "npk.h"

#include <stdatomic.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	unsigned char *o = d;
	const unsigned char *i = s;

	while (n--)
		*o++ = *i++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *o = d;
	const unsigned char *i = s;

	if (o < i) {
		while (n--)
			*o++ = *i++;
	} else {
		while (n--)
			o[n] = i[n];
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

/* ---- COM1 ------------------------------------------------------------ */
#define COM1 0x3f8
#define ISA_DEBUG_EXIT 0xf4

void npk_serial_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* divisor latch */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1 */
	outb(COM1 + 2, 0xc7);   /* FIFO on, cleared */
}

static void serial_putc(char c)
{
	/* A bounded wait: a missing UART reads 0xff, which says "empty". */
	for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

int npk_serial_getc(void)
{
	while (!(inb(COM1 + 5) & 0x01))
		cpu_relax();
	return inb(COM1);
}

static atomic_flag print_lock = ATOMIC_FLAG_INIT;

static void put_str(const char *s)
{
	for (; *s; s++)
		serial_putc(*s);
}

/* ---- formatting ------------------------------------------------------ */
struct out {
	char *buf;
	size_t cap, len;
};

static void emit(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void emit_num(struct out *o, uint64_t v, unsigned base, int width,
		     char pad, bool neg)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		emit(o, pad);
	while (n)
		emit(o, tmp[--n]);
}

void npk_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct out o = { buf, cap, 0 };

	for (const char *p = fmt; *p; p++) {
		int width = 0, lng = 0;
		char pad = ' ';

		if (*p != '%') {
			emit(&o, *p);
			continue;
		}
		p++;
		if (*p == '0')
			pad = '0';
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		while (*p == 'l') {
			lng++;
			p++;
		}
		switch (*p) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			for (s = s ? s : "(null)"; *s; s++)
				emit(&o, *s);
			break;
		}
		case 'c':
			emit(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			emit_num(&o, v < 0 ? (uint64_t)-v : (uint64_t)v, 10,
				 width, pad, v < 0);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);

			emit_num(&o, v, *p == 'u' ? 10 : 16, width, pad, false);
			break;
		}
		case '%':
			emit(&o, '%');
			break;
		default:
			emit(&o, '?');
			break;
		}
	}
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
}

void npk_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	npk_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

void npk_printf(const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	va_start(ap, fmt);
	npk_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	while (atomic_flag_test_and_set_explicit(&print_lock, memory_order_acquire))
		cpu_relax();
	put_str(line);
	atomic_flag_clear_explicit(&print_lock, memory_order_release);
}

_Noreturn void npk_exit(unsigned code)
{
	static atomic_flag leaving = ATOMIC_FLAG_INIT;

	/* One CPU says how it ended; another one failing too just stops. */
	if (!atomic_flag_test_and_set(&leaving)) {
		npk_printf("exit %u\n", code);
		__asm__ volatile("outl %0, %1" : : "a"(code),
				 "Nd"((uint16_t)ISA_DEBUG_EXIT));
	}
	for (;;)
		__asm__ volatile("cli; hlt");
}

_Noreturn void npk_fatal(const char *fmt, ...)
{
	char line[400];
	va_list ap;

	va_start(ap, fmt);
	npk_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	npk_printf("error %s\n", line);
	npk_printf("result fail\n");
	npk_exit(1);
}

/* From boot.S's stubs: vector, error code, then the CPU's frame. */
void npk_trap(const uint64_t *frame);
void npk_trap(const uint64_t *frame)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	npk_fatal("exception: vector %lu, error code 0x%lx at rip 0x%lx "
		  "(cr2 0x%lx)", frame[0], frame[1], frame[2], cr2);
}
