/* placeholder until the module lands */
typedef int gs_collector_placeholder_t;
