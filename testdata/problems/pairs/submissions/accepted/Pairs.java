import java.io.*;
public class Main {
    public static void main(String[] a) throws IOException {
        long n = Long.parseLong(new BufferedReader(new InputStreamReader(System.in)).readLine().trim());
        System.out.println((n - 1) + " 1");
    }
}
