/* measure.c - rates from CPU-time deltas, smoothed (measure.h). */
#include "schedtune/measure.h"

void smeasure_sample(struct smeasure *m, uint64_t now_ns, uint64_t cpu_ns,
                     uint64_t wait_ns, bool wait_known, bool running,
                     uint64_t tau_ns)
{
    double dt, use, demand, a;

    if (!wait_known)
        wait_ns = 0;
    if (!m->primed || now_ns <= m->at_ns || cpu_ns < m->cpu_ns ||
        wait_ns < m->wait_ns) {
        bool first = !m->primed;

        m->primed = true;
        m->at_ns = now_ns;
        m->cpu_ns = cpu_ns;
        m->wait_ns = wait_ns;
        if (first || !running)
            m->use = m->demand = 0;
        return;
    }
    dt = (double)(now_ns - m->at_ns);
    use = running ? (double)(cpu_ns - m->cpu_ns) / dt : 0;
    demand = running ? use + (double)(wait_ns - m->wait_ns) / dt : 0;
    /* dt / (tau + dt): the first-order average for uneven steps */
    a = dt / ((double)tau_ns + dt);
    m->use += a * (use - m->use);
    m->demand += a * (demand - m->demand);
    if (m->demand < m->use)
        m->demand = m->use;
    m->at_ns = now_ns;
    m->cpu_ns = cpu_ns;
    m->wait_ns = wait_ns;
}
