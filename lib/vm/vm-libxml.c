/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vm/vm-libxml.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "util/util-err.h"

static struct np_libxml api;
static const char *load_error;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Symbol name and the slot it fills. */
#define SYM(name) { #name, offsetof(struct np_libxml, name) }
static const struct { const char *name; size_t off; } syms[] = {
	SYM(xmlAddChild),
	SYM(xmlBufferContent),
	SYM(xmlBufferCreate),
	SYM(xmlBufferFree),
	SYM(xmlByteConsumed),
	SYM(xmlCreateMemoryParserCtxt),
	SYM(xmlCtxtGetLastError),
	SYM(xmlCtxtReadMemory),
	SYM(xmlCtxtUseOptions),
	SYM(xmlDocGetRootElement),
	SYM(xmlDocSetRootElement),
	SYM(xmlFreeDoc),
	SYM(xmlFreeNode),
	SYM(xmlFreeParserCtxt),
	SYM(xmlGetProp),
	SYM(xmlNewChild),
	SYM(xmlNewDoc),
	SYM(xmlNewDocComment),
	SYM(xmlNewDocNode),
	SYM(xmlNewParserCtxt),
	SYM(xmlNewProp),
	SYM(xmlNewTextChild),
	SYM(xmlNodeAddContent),
	SYM(xmlNodeDump),
	SYM(xmlNodeGetContent),
	SYM(xmlParseDocument),
	SYM(xmlSAX2EndElementNs),
	SYM(xmlSAX2StartElementNs),
	SYM(xmlStopParser),
	SYM(xmlFree),
};

static void open_libxml(void)
{
	void *h = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		load_error = "cannot open libxml2.so.2 (Debian package libxml2)";
		return;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(h, syms[i].name);

		if (!p) {
			load_error = "libxml2.so.2 lacks a needed symbol";
			memset(&api, 0, sizeof(api));
			return;
		}
		memcpy((char *)&api + syms[i].off, &p, sizeof(p));
	}
}

const struct np_libxml *np_libxml_get(struct np_err *err)
{
	pthread_once(&once, open_libxml);
	if (load_error) {
		np_fail_sys(err, -ENOENT, "libvirt XML: %s", load_error);
		return NULL;
	}
	return &api;
}
