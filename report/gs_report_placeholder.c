/* placeholder until the module lands */
typedef int gs_report_placeholder_t;
