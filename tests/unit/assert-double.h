/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmocka assertions on doubles, for the statistics tests: exact equality
 * (for values exact in binary) and a relative tolerance (for values
 * another implementation computed).  Include after <cmocka.h>.
 */
#ifndef NP_TEST_ASSERT_DOUBLE_H
#define NP_TEST_ASSERT_DOUBLE_H

#include <math.h>

#define assert_exact(got, want)                                              \
	do {                                                                 \
		double g_ = (got), w_ = (want);                              \
		if (g_ != w_)                                                \
			fail_msg("%s: %.17g, expected %.17g", #got, g_, w_); \
	} while (0)

/* |got - want| <= rel * |want| */
#define assert_close(got, want, rel)                                         \
	do {                                                                 \
		double g_ = (got), w_ = (want);                              \
		if (!(fabs(g_ - w_) <= (rel) * fabs(w_)))                    \
			fail_msg("%s: %.17g, expected %.17g (within %g)",   \
				 #got, g_, w_, (double)(rel));               \
	} while (0)

#endif
