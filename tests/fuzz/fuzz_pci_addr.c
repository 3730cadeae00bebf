/* fuzz_pci_addr.c - libFuzzer: a PCI address as a client sends it
 * (pci.assignable_add, pci.detach ...).  The parser must accept or refuse
 * with a message, never read past the text, and what it accepts must be in
 * range and survive a round trip through its canonical form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hv_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hv_pci_addr a, again;
    char s[HV_PCI_ADDR_LEN];
    struct xn_msg msg;
    char *text = malloc(size + 1);  /* exact size: ASan sees overreads */

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (hv_pci_addr_parse(text, &a, &msg) == 0) {
        if (a.dev > 0x1f || a.fn > 7)
            abort();
        hv_pci_addr_str(&a, s);
        if (hv_pci_addr_parse(s, &again, &msg) != 0 ||
            !hv_pci_addr_eq(&a, &again) || strlen(s) != HV_PCI_ADDR_LEN - 1)
            abort();
    }
    free(text);
    return 0;
}
