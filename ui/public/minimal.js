// The baseline window is ready once its document is parsed.
performance.mark('minimal:ready');
