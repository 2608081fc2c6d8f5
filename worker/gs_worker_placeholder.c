/* placeholder until the module lands */
typedef int gs_worker_placeholder_t;
