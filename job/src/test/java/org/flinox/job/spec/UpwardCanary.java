package org.flinox.job.spec;

import org.flinox.job.JobSettings;

/** Test code only: a spec class reaching up into the dataflow, which PackageLayersTest's rules must catch. */
final class UpwardCanary {
    JobSettings settings;
}
