package org.flinox.job; public class Launcher { public static void main(String[] a){} }
