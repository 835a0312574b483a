/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxml2, opened on first use (as hwloc is: topo/topo-hwloc-dl.h).
 *
 * Why not link it: Debian's libxml2 pulls in ICU, whose data library
 * alone is 30 MB; every numaplace process would map it, and every lab
 * guest image (which carries the CLI's shared libraries) would carry it,
 * too large for a guest's small nodes.  Only the libvirt domain code
 * needs it, so it is loaded when a domain is read or written.
 *
 * vm-libvirt.c calls libxml2 by its own names: the macros at the end
 * turn each call into one through the table (np_libxml_get() must have
 * succeeded first).  Types and struct layouts come from the headers.
 */
#ifndef NP_VM_LIBXML_H
#define NP_VM_LIBXML_H

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <numaplace/error.h>

struct np_libxml {
	__typeof__(xmlAddChild) *xmlAddChild;
	__typeof__(xmlBufferContent) *xmlBufferContent;
	__typeof__(xmlBufferCreate) *xmlBufferCreate;
	__typeof__(xmlBufferFree) *xmlBufferFree;
	__typeof__(xmlByteConsumed) *xmlByteConsumed;
	__typeof__(xmlCreateMemoryParserCtxt) *xmlCreateMemoryParserCtxt;
	__typeof__(xmlCtxtGetLastError) *xmlCtxtGetLastError;
	__typeof__(xmlCtxtReadMemory) *xmlCtxtReadMemory;
	__typeof__(xmlCtxtUseOptions) *xmlCtxtUseOptions;
	__typeof__(xmlDocGetRootElement) *xmlDocGetRootElement;
	__typeof__(xmlDocSetRootElement) *xmlDocSetRootElement;
	__typeof__(xmlFreeDoc) *xmlFreeDoc;
	__typeof__(xmlFreeNode) *xmlFreeNode;
	__typeof__(xmlFreeParserCtxt) *xmlFreeParserCtxt;
	__typeof__(xmlGetProp) *xmlGetProp;
	__typeof__(xmlNewChild) *xmlNewChild;
	__typeof__(xmlNewDoc) *xmlNewDoc;
	__typeof__(xmlNewDocComment) *xmlNewDocComment;
	__typeof__(xmlNewDocNode) *xmlNewDocNode;
	__typeof__(xmlNewParserCtxt) *xmlNewParserCtxt;
	__typeof__(xmlNewProp) *xmlNewProp;
	__typeof__(xmlNewTextChild) *xmlNewTextChild;
	__typeof__(xmlNodeAddContent) *xmlNodeAddContent;
	__typeof__(xmlNodeDump) *xmlNodeDump;
	__typeof__(xmlNodeGetContent) *xmlNodeGetContent;
	__typeof__(xmlParseDocument) *xmlParseDocument;
	__typeof__(xmlSAX2EndElementNs) *xmlSAX2EndElementNs;
	__typeof__(xmlSAX2StartElementNs) *xmlSAX2StartElementNs;
	__typeof__(xmlStopParser) *xmlStopParser;
	xmlFreeFunc *xmlFree;     /* the variable libxml2 frees through */
};

/* The table, opening libxml2.so.2 on first call; NULL with err set (the
 * system's: a package is missing) when it cannot. */
const struct np_libxml *np_libxml_get(struct np_err *err);

#ifdef NP_LIBXML_CALLS
/* Set from np_libxml_get() by the caller before any call below. */
extern const struct np_libxml *np_lx;
#define xmlAddChild (np_lx->xmlAddChild)
#define xmlBufferContent (np_lx->xmlBufferContent)
#define xmlBufferCreate (np_lx->xmlBufferCreate)
#define xmlBufferFree (np_lx->xmlBufferFree)
#define xmlByteConsumed (np_lx->xmlByteConsumed)
#define xmlCreateMemoryParserCtxt (np_lx->xmlCreateMemoryParserCtxt)
#define xmlCtxtGetLastError (np_lx->xmlCtxtGetLastError)
#define xmlCtxtReadMemory (np_lx->xmlCtxtReadMemory)
#define xmlCtxtUseOptions (np_lx->xmlCtxtUseOptions)
#define xmlDocGetRootElement (np_lx->xmlDocGetRootElement)
#define xmlDocSetRootElement (np_lx->xmlDocSetRootElement)
#define xmlFreeDoc (np_lx->xmlFreeDoc)
#define xmlFreeNode (np_lx->xmlFreeNode)
#define xmlFreeParserCtxt (np_lx->xmlFreeParserCtxt)
#define xmlGetProp (np_lx->xmlGetProp)
#define xmlNewChild (np_lx->xmlNewChild)
#define xmlNewDoc (np_lx->xmlNewDoc)
#define xmlNewDocComment (np_lx->xmlNewDocComment)
#define xmlNewDocNode (np_lx->xmlNewDocNode)
#define xmlNewParserCtxt (np_lx->xmlNewParserCtxt)
#define xmlNewProp (np_lx->xmlNewProp)
#define xmlNewTextChild (np_lx->xmlNewTextChild)
#define xmlNodeAddContent (np_lx->xmlNodeAddContent)
#define xmlNodeDump (np_lx->xmlNodeDump)
#define xmlNodeGetContent (np_lx->xmlNodeGetContent)
#define xmlParseDocument (np_lx->xmlParseDocument)
#define xmlSAX2EndElementNs (np_lx->xmlSAX2EndElementNs)
#define xmlSAX2StartElementNs (np_lx->xmlSAX2StartElementNs)
#define xmlStopParser (np_lx->xmlStopParser)
#undef xmlFree
#define xmlFree (*np_lx->xmlFree)
#endif

#endif
