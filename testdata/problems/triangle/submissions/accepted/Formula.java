import java.util.Scanner;
public class Main {
    public static void main(String[] a) {
        long n = new Scanner(System.in).nextLong();
        System.out.println(n * (n + 1) / 2);
    }
}
