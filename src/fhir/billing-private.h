/* What the billing readers of src/fhir share (billing.c, aging.c); not for screens. */
#ifndef EHRTERM_FHIR_BILLING_PRIVATE_H
#define EHRTERM_FHIR_BILLING_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "fhir/billing.h"

/* Copy SRC ("" for NULL) into DST of SIZE bytes; false, and DST "", when it does not fit. */
bool bill_put(char *dst, size_t size, const char *src);
/* As bill_put, but a label too long is cut at a UTF-8 character boundary instead. */
void bill_put_label(char *dst, size_t size, const char *src);
/* Add SENTENCE (taken) to P. */
void bill_problem_add(struct bill_problems *p, char *sentence);

#endif
