/* SPDX-License-Identifier: GPL-2.0 */
/* The service's module parameters, and the hidden state they shape before launch. */
/* Context: process context (module load; the PM notifier for the reseed). */
#ifndef HVT_MODULE_PARAMS_H
#define HVT_MODULE_PARAMS_H

#include <linux/types.h>

struct hvt_trust;
struct hvt_vmx_config;
struct hvtrust_quote_key;

bool hvt_params_valid(void);
size_t hvt_params_sessions_size(void);
size_t hvt_params_frames_size(void);
size_t hvt_params_pool_size(void);
size_t hvt_params_secrets_size(void);
unsigned int hvt_params_pool_pages(void);
int hvt_params_setup_service(struct hvt_trust *trust, const struct hvt_vmx_config *config);
void hvt_params_reseed(struct hvt_trust *trust);
int hvt_params_quote_key_of(struct hvtrust_quote_key *out);

#endif /* HVT_MODULE_PARAMS_H */
