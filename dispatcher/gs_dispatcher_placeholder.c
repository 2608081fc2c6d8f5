/* placeholder until the module lands */
typedef int gs_dispatcher_placeholder_t;
